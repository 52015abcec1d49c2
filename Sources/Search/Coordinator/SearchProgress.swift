import Foundation

/// The coordinator's one-line progress report: trials finished, running and failed, the best so
/// far, and a rough time left from this run's pace (epochs per second) so far. The best is found
/// once when the run starts and then kept up from the reports the coordinator appends, so a line
/// costs no pass over every trial's epochs.
final class SearchProgress {
    let metric: SearchMetric
    private let startedAt: Double
    private var epochsAtStart = 0
    private var best: (number: Int, value: Double)?

    init(metric: SearchMetric, startedAt: Double) {
        self.metric = metric
        self.startedAt = startedAt
    }

    /// Notes the epochs already trained when the run begins (a resumed study's).
    func start(snapshot: StudySnapshot) {
        epochsAtStart = snapshot.epochsTrained
        best = snapshot.bestTrial(by: metric).flatMap { trial in trial.bestValue(of: metric).map { (trial.number, $0) } }
    }

    /// Takes in a report the coordinator appended.
    func note(trial number: Int, metrics: [String: Double]) {
        guard let value = metrics[metric.name], value.isFinite else { return }
        if let current = best, !metric.ranksAbove(value, number: number, current.value, number: current.number) { return }
        best = (number, value)
    }

    func line(snapshot: StudySnapshot, trialBudget: Int, running: Int, now: Double) -> String {
        let finished = snapshot.count { $0.isFinished }
        let failed = snapshot.count { $0 == .failed }
        var line = "progress: \(finished) of \(trialBudget) trials finished, \(running) running, \(failed) failed"
        if let best {
            line += String(format: "; best %@ %.4f (trial %d)", metric.name, best.value, best.number)
        }
        let epochs = snapshot.epochsTrained
        let epochsDone = epochs - epochsAtStart
        if epochsDone > 0, finished < trialBudget {
            let epochsPerTrial = Double(epochs) / Double(max(snapshot.trials.count, 1))
            let seconds = (now - startedAt) / Double(epochsDone) * epochsPerTrial * Double(trialBudget - finished)
            line += seconds < 120 ? String(format: "; about %.0f s left", seconds) : String(format: "; about %.0f min left", seconds / 60)
        }
        return line
    }
}
