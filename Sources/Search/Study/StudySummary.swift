import Foundation
import FileFormats

/// A study as text for `tune status` and the end of a search: trials by state, the rung table of
/// each bracket, and the leaderboard (best value of the metric per trial).
public struct StudySummary {
    public let study: Study
    public let scheduler: SearchScheduler
    public let trialBudget: Int

    public init(study: Study, scheduler: SearchScheduler, trialBudget: Int) {
        self.study = study
        self.scheduler = scheduler
        self.trialBudget = trialBudget
    }

    public var text: String {
        let snapshot = study.snapshot
        let metric = scheduler.definition.metric
        var lines: [String] = []
        lines.append("study '\(snapshot.header.name)': \(scheduler.definition.methodName), seed \(snapshot.header.seed), "
                     + "\(snapshot.trials.count) of \(trialBudget) trials created, "
                     + (scheduler.isDeterministic ? "deterministic" : "not deterministic (promotions depend on completion order)"))
        lines.append("sampler: \(scheduler.definition.sampler.rawValue), \(scheduler.samplerDescription)")
        lines.append("scheduler: \(scheduler.definition.scheduler.rawValue), \(scheduler.schedulerDescription)")
        let counts = TrialState.allCases.compactMap { state -> String? in
            let count = snapshot.trials(in: state).count
            return count > 0 ? "\(count) \(state.rawValue)" : nil
        }
        lines.append("trials: " + (counts.isEmpty ? "none yet" : counts.joined(separator: ", ")))
        let epochs = snapshot.epochsTrained
        let full = snapshot.trials.count * scheduler.definition.budget.maximumEpochs
        if full > 0 {
            lines.append("epochs trained: \(epochs) (training every trial to the full budget would take \(full))")
        }
        for summary in scheduler.brackets(snapshot: snapshot, trialBudget: trialBudget) where scheduler.definition.scheduler.halves {
            lines.append("bracket \(summary.bracket.index): trials \(summary.trialNumbers.first ?? 0)-\(summary.trialNumbers.last ?? 0)")
            for rung in summary.rungs {
                lines.append("  rung \(rung.epochs) epochs: \(rung.results.count) reported, \(rung.promoted.count) promoted"
                             + (rung.isClosed ? " (closed)" : ""))
            }
        }
        let ranked = snapshot.leaderboard(by: metric)
        if !ranked.isEmpty {
            lines.append("")
            lines.append("rank  trial  \(metric.name)  epochs  state     parameters")
            for (rank, (trial, value)) in ranked.prefix(10).enumerated() {
                let parameters = trial.parameters.keys.sorted().compactMap { key in
                    trial.parameters[key].map { "\(key)=\($0.canonicalText)" }
                }.joined(separator: " ")
                lines.append(String(format: "%4d  %5d  %@  %6d  %@  %@", rank + 1, trial.number,
                                    String(format: "%.4f", value).padding(toLength: metric.name.count, withPad: " ", startingAt: 0),
                                    trial.epochsTrained, trial.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0),
                                    parameters))
            }
        }
        if let importance = ParameterImportance.evaluate(snapshot: snapshot, definition: scheduler.definition) {
            lines.append("")
            lines.append("parameter importance (PED-ANOVA over \(importance.trialCount) trials at \(importance.epochs) epochs): "
                         + importance.entries.map { "\($0.parameter) \(String(format: "%.2f", $0.importance))" }.joined(separator: ", "))
        }
        let failed = snapshot.trials(in: .failed)
        if !failed.isEmpty {
            lines.append("")
            lines.append("failed trials:")
            for trial in failed { lines.append("  trial \(trial.number): \(trial.reason ?? "no reason recorded")") }
        }
        return lines.joined(separator: "\n")
    }
}
