/// When repeated failures stop a search instead of letting it spend its budget on trials that
/// cannot work (a wrong data path, a broken build: wandb #5088's hundreds of failed runs).
public struct FailurePolicy: Sendable, Equatable {
    /// Stop when the first this-many trials (by number) all failed, or every trial when the
    /// budget is smaller.
    public var firstTrials: Int
    /// Stop when this many consecutively numbered trials failed, wherever they are.
    public var consecutiveTrials: Int

    public init(firstTrials: Int = 3, consecutiveTrials: Int = 10) {
        self.firstTrials = firstTrials
        self.consecutiveTrials = consecutiveTrials
    }

    /// Why the search must stop, worded for the user; nil while it may go on.
    public func stopReason(snapshot: StudySnapshot, trialBudget: Int) -> String? {
        let trials = snapshot.trials
        let first = min(firstTrials, trialBudget)
        if first > 0, trials.count >= first, trials.prefix(first).allSatisfy({ $0.state == .failed }) {
            let example = trials[0].reason.map { ": trial 0 failed with \($0)" } ?? ""
            let which = first == 1 ? "The first trial" : "The first \(first) trials all"
            return "\(which) failed\(example). The search stops rather than spend its budget on trials that fail; fix the cause and rerun the same command to retry them."
        }
        guard consecutiveTrials > 0 else { return nil }
        let states = snapshot.states
        var run = 0
        for index in states.indices {
            run = states[index] == .failed ? run + 1 : 0
            if run >= consecutiveTrials {
                let trial = trials[index]
                let example = trial.reason.map { "; the last failed with \($0)" } ?? ""
                return "Trials \(trial.number - run + 1) to \(trial.number) all failed\(example). The search stops rather than spend its budget on trials that fail; fix the cause and rerun the same command to retry them."
            }
        }
        return nil
    }
}
