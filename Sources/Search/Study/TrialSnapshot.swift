import FileFormats

/// Where a trial is in its life: `waiting -> running -> (paused at a rung | complete | pruned |
/// failed)`; a paused trial runs again when promoted, a waiting one when a worker takes it.
public enum TrialState: String, Sendable, CaseIterable {
    /// Created, or put back in the queue (interrupted, retried): needs a worker.
    case waiting
    /// A worker's process is training it toward its target epochs.
    case running
    /// Reached its target rung; waits for the scheduler to promote or stop it.
    case paused
    /// Trained to the last rung.
    case complete
    /// Stopped at a lower rung because others did better.
    case pruned
    /// Crashed, was killed, diverged or ran out of time (see the reason).
    case failed

    /// True for the states a trial never leaves on its own (a failed trial may be retried).
    public var isFinished: Bool { self == .complete || self == .pruned || self == .failed }
}

/// The metrics a trial reported after one epoch.
public struct EpochReport: Sendable, Equatable {
    public var epoch: Int
    public var metrics: [String: Double]
    /// The journal entry that recorded it, i.e. the order in which results arrived.
    public var journalIndex: Int

    public init(epoch: Int, metrics: [String: Double], journalIndex: Int) {
        self.epoch = epoch
        self.metrics = metrics
        self.journalIndex = journalIndex
    }
}

/// A frozen view of one trial, rebuilt from the journal: what the scheduler decides on.
public struct TrialSnapshot: Sendable, Equatable {
    public var number: Int
    public var parameters: TrialParameters {
        didSet { parametersKey = parameters.canonicalText }
    }
    /// `parameters.canonicalText`, kept so de-duplication does not rebuild it for every trial.
    public private(set) var parametersKey: String
    public var state: TrialState
    /// The epochs its current (or last) run was asked to reach; nil before its first run.
    public var targetEpochs: Int?
    /// The worker that claimed it last.
    public var worker: String?
    /// Why it failed, was re-queued or was stopped, when known.
    public var reason: String?
    /// One report per epoch, in increasing epoch order. A report of an epoch already reported
    /// (a run continued from an earlier checkpoint) replaces it and drops the later ones.
    public var reports: [EpochReport]
    /// The journal entry of its last state change.
    public var stateJournalIndex: Int
    /// How many times a worker claimed it (starts, promotions and restarts).
    public var claimCount: Int

    public init(number: Int, parameters: TrialParameters, state: TrialState = .waiting, targetEpochs: Int? = nil,
                worker: String? = nil, reason: String? = nil, reports: [EpochReport] = [],
                stateJournalIndex: Int = 0, claimCount: Int = 0) {
        self.number = number
        self.parameters = parameters
        self.parametersKey = parameters.canonicalText
        self.state = state
        self.targetEpochs = targetEpochs
        self.worker = worker
        self.reason = reason
        self.reports = reports
        self.stateJournalIndex = stateJournalIndex
        self.claimCount = claimCount
    }

    /// The last epoch it reported (0 before the first): where a resumed run continues from.
    public var epochsTrained: Int { reports.last?.epoch ?? 0 }

    /// `metric` as reported at the last epoch at or before `epoch`.
    public func value(of metric: String, atEpoch epoch: Int) -> Double? {
        reports.last { $0.epoch <= epoch && $0.metrics[metric] != nil }?.metrics[metric]
    }

    /// `metric` at its last report.
    public func latestValue(of metric: String) -> Double? {
        reports.last { $0.metrics[metric] != nil }?.metrics[metric]
    }

    /// The best finite value of `metric` over all its epochs.
    public func bestValue(of metric: SearchMetric) -> Double? {
        var best: Double?
        for report in reports {
            guard let value = report.metrics[metric.name], value.isFinite else { continue }
            if let current = best, !metric.isBetter(value, than: current) { continue }
            best = value
        }
        return best
    }
}

/// What a study was created with: its name, the search file and the seed.
public struct StudyHeader: Sendable, Equatable {
    public var name: String
    /// `SearchDefinition.fingerprint` of the search file the study was started with.
    public var fingerprint: String
    /// The search file's document, so `tune status` and reports need no other file.
    public var document: JSONValue
    public var seed: Int
    /// The study folder (trial run files and checkpoints) as its creator saw it; workers on other
    /// machines use it unless told otherwise, so it must be on a shared file system.
    public var directory: String?

    public init(name: String, fingerprint: String, document: JSONValue, seed: Int, directory: String? = nil) {
        self.name = name
        self.fingerprint = fingerprint
        self.document = document
        self.seed = seed
        self.directory = directory
    }
}

/// A frozen view of a whole study (Optuna's frozen trials): the input of every scheduler decision.
public struct StudySnapshot: Sendable, Equatable {
    public var header: StudyHeader
    /// All trials; `trials[n].number == n`.
    public var trials: [TrialSnapshot]
    /// The last heartbeat time (seconds since 1970) of each worker.
    public var heartbeats: [String: Double]
    /// The trial budget last set by a coordinator (`--trials`), nil before the first.
    public var trialBudget: Int?
    /// Journal entries that were read and skipped because they lost a race (a second claim of a
    /// running trial, a second creation of a number), with the reason.
    public var ignoredEntries: [Int: String]
    /// How many journal entries this snapshot reflects.
    public var entryCount: Int

    public init(header: StudyHeader, trials: [TrialSnapshot] = [], heartbeats: [String: Double] = [:],
                ignoredEntries: [Int: String] = [:], entryCount: Int = 0) {
        self.header = header
        self.trials = trials
        self.heartbeats = heartbeats
        self.ignoredEntries = ignoredEntries
        self.entryCount = entryCount
    }

    /// The canonical texts of every trial's parameters (for de-duplicating new samples).
    public var usedConfigurations: Set<String> {
        Set(trials.map(\.parametersKey))
    }

    /// The trials in `state`.
    public func trials(in state: TrialState) -> [TrialSnapshot] {
        trials.filter { $0.state == state }
    }

    /// The leaderboard: the trials that reported `metric`, with their best value over their epochs,
    /// best first (ties: lower trial number first). `tune status`, the report and the coordinator's
    /// progress line all rank by it.
    public func leaderboard(by metric: SearchMetric) -> [(trial: TrialSnapshot, value: Double)] {
        trials.compactMap { trial in trial.bestValue(of: metric).map { (trial, $0) } }.sorted { left, right in
            if metric.isBetter(left.value, than: right.value) { return true }
            if metric.isBetter(right.value, than: left.value) { return false }
            return left.trial.number < right.trial.number
        }
    }

    /// The first of the leaderboard, if any trial reported `metric`.
    public func bestTrial(by metric: SearchMetric) -> TrialSnapshot? {
        leaderboard(by: metric).first?.trial
    }
}
