import FileFormats

/// One entry of a study's append-only journal; replaying them in order rebuilds the study.
public enum JournalOperation: Sendable, Equatable {
    /// The first entry: the study's name, search file and seed.
    case createStudy(StudyHeader)
    /// A new trial `number` (the next free one) with its parameters, waiting for a worker.
    case createTrial(number: Int, parameters: TrialParameters)
    /// `worker` takes trial `number` to train it to `targetEpochs`. Only a waiting or paused
    /// trial can be claimed: of two claims the first in the journal wins, the other is ignored.
    case claimTrial(number: Int, targetEpochs: Int, worker: String)
    /// Trial `number`'s metrics after `epoch`. With `worker`, reported on behalf of that worker's
    /// claim: ignored unless the trial is still running under it (so a worker declared dead cannot
    /// slip a late report into a trial another worker now trains).
    case reportEpoch(number: Int, epoch: Int, metrics: [String: Double], worker: String? = nil)
    /// Trial `number` moves to `state` (paused, complete, pruned, failed, or back to waiting).
    /// With `worker`, only the claim of that worker is ended: the entry is ignored unless the trial
    /// is still running under it (a re-queue that lost the race against a new claim changes nothing).
    case setState(number: Int, state: TrialState, reason: String?, worker: String? = nil)
    /// `worker` is alive at `time` (seconds since 1970).
    case heartbeat(worker: String, time: Double)
    /// The search's trial budget (`--trials`, a total) from now on; the last entry counts, so
    /// workers that join the study run exactly as many trials as the coordinator was asked for.
    case setTrialBudget(trials: Int)

    /// The trial the operation is about, if any.
    public var trialNumber: Int? {
        switch self {
        case .createStudy, .heartbeat, .setTrialBudget: return nil
        case .createTrial(let number, _), .claimTrial(let number, _, _), .reportEpoch(let number, _, _, _),
             .setState(let number, _, _, _):
            return number
        }
    }
}
