/// What the scheduler asks the coordinator to do next. The coordinator records an action in the
/// journal (`Study.record`) before carrying it out, so a crash never loses a decision.
public enum SchedulerAction: Sendable, Equatable {
    /// Create trial `trialNumber` with `parameters` and train it from scratch to `targetEpochs`.
    case start(trialNumber: Int, parameters: TrialParameters, targetEpochs: Int)
    /// Continue trial `trialNumber` from its last checkpoint to `targetEpochs`: a promotion to the
    /// next rung, or a trial that was interrupted or re-queued (it may have no checkpoint yet, then
    /// it starts from scratch; if it already reached `targetEpochs`, it only needs pausing).
    case resume(trialNumber: Int, targetEpochs: Int)
    /// Trial `trialNumber`, paused at a rung, is done: `complete` at the last rung, `pruned` below.
    case stop(trialNumber: Int, finalState: TrialState)
    /// Trial `trialNumber` was pruned when its rung closed, and the rung is open again (`--trials`
    /// was raised, or a failed trial there is retried): it is paused again, so the rung decides
    /// on it once more and may promote it, as it would have with the larger budget from the start.
    case reopen(trialNumber: Int)

    public var trialNumber: Int {
        switch self {
        case .start(let number, _, _), .resume(let number, _), .stop(let number, _), .reopen(let number): return number
        }
    }

    /// True when carrying it out takes a worker.
    public var needsWorker: Bool {
        switch self {
        case .start, .resume: return true
        case .stop, .reopen: return false
        }
    }

    /// The journal entries that record it, appended together.
    public func journalOperations(worker: String) -> [JournalOperation] {
        switch self {
        case .start(let number, let parameters, let targetEpochs):
            return [.createTrial(number: number, parameters: parameters),
                    .claimTrial(number: number, targetEpochs: targetEpochs, worker: worker)]
        case .resume(let number, let targetEpochs):
            return [.claimTrial(number: number, targetEpochs: targetEpochs, worker: worker)]
        case .stop(let number, let finalState):
            let reason = finalState == .pruned ? "not promoted: others did better at this rung" : nil
            return [.setState(number: number, state: finalState, reason: reason)]
        case .reopen(let number):
            return [.setState(number: number, state: .paused, reason: "its rung opened again when the trial budget grew")]
        }
    }
}

/// Where a search stands.
public enum SearchStatus: Sendable, Equatable {
    /// Trials are running or can be started.
    case inProgress
    /// Every trial is finished and no more can be started (budget spent or space exhausted).
    case finished
    /// Stopped by the failure rule, with a message for the user; no new trials start.
    case stopped(reason: String)
}
