/// Rebuilds a study from its journal one entry at a time (Optuna's JournalStorage replay).
///
/// Entries that lost a race are skipped and listed in `ignoredEntries` rather than treated as
/// damage: a claim of a trial that is not waiting or paused (another worker got it first), a
/// second creation of a trial number or of the study, a state change a trial cannot make. Entries
/// that make no sense at all (a trial that does not exist) are errors.
public struct StudyReplay: Sendable {
    /// The study so far; nil until the journal's first entry.
    public private(set) var snapshot: StudySnapshot?
    /// How many entries have been applied.
    public private(set) var entryCount = 0
    /// The journal's name for messages.
    public let source: String
    /// The running digest of the entries applied so far.
    private var digest = 0

    public init(source: String) {
        self.source = source
    }

    /// Applies `operations`, which continue the journal at `entryCount`.
    public mutating func apply(_ operations: [JournalOperation]) throws(StudyError) {
        for operation in operations {
            try apply(operation, index: entryCount)
            entryCount += 1
            snapshot?.entryCount = entryCount
            digest = Self.chain(digest, operation)
            snapshot?.entryDigests.append(UInt64(bitPattern: Int64(digest)))
        }
    }

    private mutating func apply(_ operation: JournalOperation, index: Int) throws(StudyError) {
        if case .createStudy(let header) = operation {
            if var study = snapshot {
                // Two coordinators that started the same new study at the same moment both wrote
                // the header: the first wins. A different second header (another search file or
                // seed) is ignored too; its coordinator then refuses to resume the study.
                study.ignoredEntries[index] = study.header == header
                    ? "the study was already created (by a coordinator that started at the same time)"
                    : "the study was already created with another search file or seed"
                snapshot = study
                return
            }
            snapshot = StudySnapshot(header: header)
            return
        }
        guard var study = snapshot else { throw damaged(index, "comes before the entry that creates the study") }
        snapshot = nil  // so `study` is the only reference and is changed in place
        defer { snapshot = study }

        switch operation {
        case .createStudy:
            break
        case .createTrial(let number, let parameters):
            if number < study.trials.count {
                study.ignoredEntries[index] = "trial \(number) was already created"
                return
            }
            guard number == study.trials.count else {
                throw damaged(index, "creates trial \(number), but the next trial is \(study.trials.count)")
            }
            study.appendTrial(TrialSnapshot(number: number, parameters: parameters, stateJournalIndex: index))
        case .claimTrial(let number, let targetEpochs, let worker):
            var trial = try existingTrial(number, in: study, index: index)
            guard trial.state == .waiting || trial.state == .paused else {
                study.ignoredEntries[index] = "trial \(number) is \(trial.state.rawValue), so \(worker) cannot claim it"
                return
            }
            trial.state = .running
            trial.targetEpochs = targetEpochs
            trial.worker = worker
            trial.reason = nil
            trial.stateJournalIndex = index
            trial.claimCount += 1
            study.trials[number] = trial
        case .reportEpoch(let number, let epoch, let metrics, let worker):
            // A run that continues from an earlier checkpoint (a retry, a restart) reports some
            // epochs again: its reports replace the old ones from that epoch on.
            var trial = try existingTrial(number, in: study, index: index)
            if let worker, trial.state != .running || trial.worker != worker {
                study.ignoredEntries[index] = "trial \(number) is no longer running under \(worker)"
                return
            }
            trial.reports.removeAll { $0.epoch >= epoch }
            trial.reports.append(EpochReport(epoch: epoch, metrics: metrics, journalIndex: index))
            study.trials[number] = trial
        case .setState(let number, let state, let reason, let worker):
            var trial = try existingTrial(number, in: study, index: index)
            if let worker, trial.state != .running || trial.worker != worker {
                study.ignoredEntries[index] = "trial \(number) is no longer running under \(worker)"
                return
            }
            guard Self.canMove(from: trial.state, to: state) else {
                study.ignoredEntries[index] = "trial \(number) cannot go from \(trial.state.rawValue) to \(state.rawValue)"
                return
            }
            trial.state = state
            trial.reason = reason
            trial.stateJournalIndex = index
            study.trials[number] = trial
        case .heartbeat(let worker, let time):
            study.heartbeats[worker] = max(time, study.heartbeats[worker] ?? time)
        case .setTrialBudget(let trials):
            study.trialBudget = trials
        }
    }

    /// `digest` continued by `operation`'s content (Swift's hasher: compared only within this
    /// process, and much cheaper than encoding the entry again).
    private static func chain(_ digest: Int, _ operation: JournalOperation) -> Int {
        var hasher = Hasher()
        hasher.combine(digest)
        switch operation {
        case .createStudy(let header):
            hasher.combine(0)
            hasher.combine(header.fingerprint)
            hasher.combine(header.seed)
        case .createTrial(let number, let parameters):
            hasher.combine(1)
            hasher.combine(number)
            hasher.combine(parameters.count)
        case .claimTrial(let number, let targetEpochs, let worker):
            hasher.combine(2)
            hasher.combine(number)
            hasher.combine(targetEpochs)
            hasher.combine(worker)
        case .reportEpoch(let number, let epoch, let metrics, let worker):
            hasher.combine(3)
            hasher.combine(number)
            hasher.combine(epoch)
            hasher.combine(worker)
            // Order-independent over the metrics (a dictionary's order is not fixed).
            var values = 0
            for (name, value) in metrics { values = values &+ (name.hashValue ^ value.bitPattern.hashValue) }
            hasher.combine(values)
        case .setState(let number, let state, let reason, let worker):
            hasher.combine(4)
            hasher.combine(number)
            hasher.combine(state.rawValue)
            hasher.combine(reason)
            hasher.combine(worker)
        case .heartbeat(let worker, let time):
            hasher.combine(5)
            hasher.combine(worker)
            hasher.combine(time)
        case .setTrialBudget(let trials):
            hasher.combine(6)
            hasher.combine(trials)
        }
        return hasher.finalize()
    }

    /// The transitions of the trial life cycle (claims are the only way into `running`).
    static func canMove(from old: TrialState, to new: TrialState) -> Bool {
        switch (old, new) {
        case (.running, .paused), (.running, .complete), (.running, .pruned), (.running, .failed), (.running, .waiting):
            return true
        case (.paused, .complete), (.paused, .pruned), (.paused, .failed), (.paused, .waiting):
            return true
        case (.waiting, .pruned), (.waiting, .failed):
            return true
        case (.failed, .waiting):
            return true  // a retry
        case (.pruned, .paused):
            return true  // its rung opened again (`SchedulerAction.reopen`)
        default:
            return false
        }
    }

    private func existingTrial(_ number: Int, in study: StudySnapshot, index: Int) throws(StudyError) -> TrialSnapshot {
        guard number < study.trials.count else { throw damaged(index, "refers to trial \(number), which was never created") }
        return study.trials[number]
    }

    private func damaged(_ index: Int, _ message: String) -> StudyError {
        StudyError(.corruptJournal, "\(source): journal entry \(index) \(message); the journal is damaged")
    }
}
