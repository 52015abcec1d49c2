import TrialProtocol

/// Where a coordinator's trials run: child processes of `tune train` in production
/// (`ProcessTrialLauncher`), a toy objective on a simulated clock in tests and measurements
/// (`InMemoryTrialLauncher`). The coordinator's loop is the same for both: it launches runs, waits
/// for their events, and reads what runs left behind (their logs and checkpoints) after a crash.
public protocol TrialLauncher: AnyObject {
    /// Seconds on the launcher's monotonic clock: real for processes, simulated in memory.
    var now: Double { get }
    /// Starts a run of a trial; its epochs and its exit arrive through `nextEvent`.
    func launch(_ request: TrialLaunch) throws -> TrialRunID
    /// The next event of any run, or nil after `timeout` seconds without one.
    func nextEvent(timeout: Double) -> TrialEvent?
    /// Asks a run to stop after its current epoch, once checkpointed (a Ctrl-C passed on).
    func interrupt(_ run: TrialRunID)
    /// Ends a run at once; no event of it is delivered afterwards.
    func terminate(_ run: TrialRunID)
    /// The epochs trial `number`'s runs logged (its `epochs.jsonl`), ascending, for recovering
    /// epochs the journal missed.
    func loggedEpochs(ofTrial number: Int) -> [(epoch: Int, metrics: [String: Double])]
    /// Whether trial `number` has a checkpoint to continue from.
    func hasCheckpoint(trial number: Int) -> Bool
    /// True when the worker named `owner` is known to have ended, so its trials can be re-queued
    /// at once instead of after its heartbeat times out.
    func hasEnded(worker owner: String) -> Bool
}

/// What the coordinator asks a launcher to run.
public struct TrialLaunch: Sendable, Equatable {
    public enum Start: Sendable, Equatable {
        /// A fresh run with these parameters and this training seed.
        case fresh(parameters: TrialParameters, seed: Int)
        /// The continuation of the trial's run from its checkpoint.
        case fromCheckpoint
    }

    public var trialNumber: Int
    public var start: Start
    /// Train until this many epochs in total.
    public var targetEpochs: Int

    public init(trialNumber: Int, start: Start, targetEpochs: Int) {
        self.trialNumber = trialNumber
        self.start = start
        self.targetEpochs = targetEpochs
    }
}

/// One run of a trial (a trial has several when it is promoted or continued).
public struct TrialRunID: Hashable, Sendable {
    public let value: Int
}

/// What a launcher tells the coordinator, naming the run it comes from.
public enum TrialEvent: Sendable {
    /// The run finished an epoch (and logged and checkpointed it).
    case epoch(trial: Int, run: TrialRunID, report: TrialOutputLine.EpochReport)
    /// The run ended.
    case exited(trial: Int, run: TrialRunID, outcome: TrialOutcome)

    public var run: TrialRunID {
        switch self {
        case .epoch(_, let run, _), .exited(_, let run, _): return run
        }
    }
}

/// How a run ended.
public struct TrialOutcome: Sendable, Equatable {
    /// The exit status when it exited normally (`ExitStatus`).
    public var exitStatus: Int32?
    /// The signal that ended it, if one did.
    public var signal: Int32?
    /// True when the time limit ran out and the launcher killed it.
    public var timedOut: Bool
    /// The last lines of its stderr.
    public var stderrTail: String

    public init(exitStatus: Int32?, signal: Int32? = nil, timedOut: Bool = false, stderrTail: String = "") {
        self.exitStatus = exitStatus
        self.signal = signal
        self.timedOut = timedOut
        self.stderrTail = stderrTail
    }

    public var succeeded: Bool { exitStatus == ExitStatus.success && !timedOut }

    /// Why a run that fell short of its target ended, for the journal and `tune status`.
    func failureReason(target: Int?, trained: Int) -> String {
        let tail = stderrTail.split(separator: "\n").suffix(3).joined(separator: " | ")
        let cause: String
        if timedOut {
            cause = "exceeded its time limit"
        } else if let signal {
            cause = "killed by signal \(signal)"
        } else if exitStatus == ExitStatus.diverged {
            cause = "diverged (NaN or infinite loss)"
        } else if exitStatus == ExitStatus.success {
            cause = "exited after \(trained) of \(target ?? 0) epochs"
        } else {
            cause = "exit status \(exitStatus ?? -1)"
        }
        return tail.isEmpty ? cause : "\(cause); stderr: \(tail)"
    }
}
