import Foundation

/// The coordinator's one-line progress report: trials finished, running and failed, the best so
/// far, and a rough time left from this run's pace (epochs per second) so far.
final class SearchProgress {
    let metric: SearchMetric
    private let startedAt: Double
    private var epochsAtStart = 0

    init(metric: SearchMetric, startedAt: Double) {
        self.metric = metric
        self.startedAt = startedAt
    }

    /// Notes the epochs already trained when the run begins (a resumed study's).
    func start(snapshot: StudySnapshot) {
        epochsAtStart = snapshot.trials.reduce(0) { $0 + $1.epochsTrained }
    }

    func line(snapshot: StudySnapshot, trialBudget: Int, running: Int, now: Double) -> String {
        let finished = snapshot.trials.filter { $0.state.isFinished }.count
        let failed = snapshot.trials(in: .failed).count
        var line = "progress: \(finished) of \(trialBudget) trials finished, \(running) running, \(failed) failed"
        if let best = snapshot.bestTrial(by: metric), let value = best.bestValue(of: metric) {
            line += String(format: "; best %@ %.4f (trial %d)", metric.name, value, best.number)
        }
        let epochs = snapshot.trials.reduce(0) { $0 + $1.epochsTrained }
        let epochsDone = epochs - epochsAtStart
        if epochsDone > 0, finished < trialBudget {
            let epochsPerTrial = Double(epochs) / Double(max(snapshot.trials.count, 1))
            let seconds = (now - startedAt) / Double(epochsDone) * epochsPerTrial * Double(trialBudget - finished)
            line += seconds < 120 ? String(format: "; about %.0f s left", seconds) : String(format: "; about %.0f min left", seconds / 60)
        }
        return line
    }
}
