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
    public internal(set) var trials: [TrialSnapshot]
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

    /// The canonical texts of every trial's parameters (for de-duplicating new samples), kept as
    /// trials are added rather than rebuilt at every decision.
    public private(set) var usedConfigurations: Set<String> = []

    /// A running digest of the journal: element i covers entries 0...i. Two snapshots whose
    /// digests agree up to an entry were replayed from the same entries up to it, which lets the
    /// scheduler reuse what it worked out from the earlier one (`RungMemo`).
    public internal(set) var entryDigests: [UInt64] = []

    /// Adds the next trial (the replay's one way to create one).
    mutating func appendTrial(_ trial: TrialSnapshot) {
        trials.append(trial)
        usedConfigurations.insert(trial.parametersKey)
    }

    /// Runs `body` over the trials without copying any (reading an array element of a type that
    /// holds references copies it, and at 10,000 trials per decision those copies dominated).
    public func withTrials<Result>(_ body: (UnsafeBufferPointer<TrialSnapshot>) throws -> Result) rethrows -> Result {
        try trials.withUnsafeBufferPointer(body)
    }

    /// Every trial's state, by number. (Loops index the buffer: iterating it, or `map`, would
    /// copy each trial again.)
    public var states: [TrialState] {
        withTrials { trials in
            var states: [TrialState] = []
            states.reserveCapacity(trials.count)
            for index in trials.indices { states.append(trials[index].state) }
            return states
        }
    }

    /// How many trials are in a state that satisfies `test`.
    public func count(where test: (TrialState) -> Bool) -> Int {
        withTrials { trials in
            var count = 0
            for index in trials.indices where test(trials[index].state) { count += 1 }
            return count
        }
    }

    /// The epochs trained by all trials together.
    public var epochsTrained: Int {
        withTrials { trials in
            var total = 0
            for index in trials.indices { total += trials[index].epochsTrained }
            return total
        }
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
            metric.ranksAbove(left.value, number: left.trial.number, right.value, number: right.trial.number)
        }
    }

    /// The first of the leaderboard, if any trial reported `metric` (without sorting them all).
    public func bestTrial(by metric: SearchMetric) -> TrialSnapshot? {
        let best = withTrials { trials -> (number: Int, value: Double)? in
            var best: (number: Int, value: Double)?
            for index in trials.indices {
                guard let value = trials[index].bestValue(of: metric) else { continue }
                if let current = best, !metric.ranksAbove(value, number: index, current.value, number: current.number) { continue }
                best = (index, value)
            }
            return best
        }
        return best.map { trials[$0.number] }
    }
}
