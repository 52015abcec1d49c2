import FileFormats
/// A study: its journal and the snapshot replayed from it. Every change is an appended journal
/// entry, and the snapshot is only ever rebuilt from the journal, so what a resumed coordinator
/// sees is exactly what was durably written.
public struct Study: Sendable {
    public let journal: any JournalBackend
    /// Holds the only copy of the snapshot, so each entry read changes it in place (a second
    /// copy would make every refresh copy all the trials).
    private var replay: StudyReplay
    /// The state after every entry read so far.
    public var snapshot: StudySnapshot {
        guard let snapshot = replay.snapshot else { preconditionFailure("a Study is only made from a replay holding a study") }
        return snapshot
    }

    private init(journal: any JournalBackend, replay: StudyReplay) {
        self.journal = journal
        self.replay = replay
    }

    /// Opens the study in `journal` for running `definition` with `seed`: creates it when the
    /// journal is empty, and otherwise refuses a search file or seed that differs from the ones
    /// the study was started with (resuming with a different search would mix two searches).
    /// `directory` is recorded for workers that join later (where trial folders live).
    public static func open(journal: any JournalBackend, definition: SearchDefinition, seed: Int,
                            source: String = "study journal", directory: String? = nil) throws(StudyError) -> Study {
        var replay = StudyReplay(source: source)
        try replay.apply(journal.read(from: 0))
        if replay.snapshot == nil {
            let header = StudyHeader(name: definition.name, fingerprint: definition.fingerprint,
                                     document: definition.document, seed: seed, directory: directory)
            try journal.append([.createStudy(header)])
            try replay.apply(journal.read(from: replay.entryCount))
        }
        guard let header = replay.snapshot?.header else {
            throw StudyError(.noStudy, "\(source) holds no study")
        }
        if header.fingerprint != definition.fingerprint {
            let fields = Self.changedFields(from: header.document, to: definition.document)
            throw StudyError(.searchFileChanged, """
                \(definition.source) has changed since the study '\(header.name)' started \
                (\(fields.isEmpty ? "fingerprint \(header.fingerprint), now \(definition.fingerprint)" : "changed: \(fields.joined(separator: ", "))")); \
                resuming would mix two searches. \
                Restore the file, or rerun with --fresh to start over (the old study is moved aside).
                """)
        }
        if header.seed != seed {
            throw StudyError(.seedChanged, """
                the study '\(header.name)' was started with seed \(header.seed), not \(seed); \
                rerun with --seed \(header.seed) to resume it, or with --fresh to start over.
                """)
        }
        return Study(journal: journal, replay: replay)
    }

    /// The top-level fields of a search file that differ between two versions (`description`
    /// does not count), sorted, so the message says what changed: `sampler`, `budget`, ...
    static func changedFields(from old: JSONValue, to new: JSONValue) -> [String] {
        guard case .object(let before) = old, case .object(let after) = new else { return [] }
        let keys = Set(before.keys).union(after.keys).subtracting(["description"])
        return keys.filter { before[$0]?.canonicalText != after[$0]?.canonicalText }.sorted()
    }

    /// Opens an existing study for reading (`tune status`, reports), whatever its search file.
    public static func load(journal: any JournalBackend, source: String = "study journal") throws(StudyError) -> Study {
        var replay = StudyReplay(source: source)
        try replay.apply(journal.read(from: 0))
        guard replay.snapshot != nil else { throw StudyError(.noStudy, "\(source) holds no study yet") }
        return Study(journal: journal, replay: replay)
    }

    /// Reads the entries appended since the last read (by this or another process).
    public mutating func refresh() throws(StudyError) {
        try replay.apply(journal.read(from: replay.entryCount))
    }

    /// Appends `operations` in one atomic write, then refreshes.
    public mutating func append(_ operations: [JournalOperation]) throws(StudyError) {
        guard !operations.isEmpty else { return }
        try journal.append(operations)
        try refresh()
    }

    /// Records a scheduler decision before it is carried out (the trial is created and claimed
    /// by `worker`, claimed again, or stopped). Returns false when another worker's entry came
    /// first and the action must not be carried out.
    @discardableResult
    public mutating func record(_ action: SchedulerAction, worker: String) throws(StudyError) -> Bool {
        try append(action.journalOperations(worker: worker))
        let trials = snapshot.trials
        guard action.trialNumber < trials.count else { return false }
        let trial = trials[action.trialNumber]
        switch action {
        case .start(_, let parameters, let targetEpochs):
            return trial.parameters == parameters && trial.state == .running && trial.worker == worker && trial.targetEpochs == targetEpochs
        case .resume(_, let targetEpochs):
            return trial.state == .running && trial.worker == worker && trial.targetEpochs == targetEpochs
        case .stop(_, let finalState):
            return trial.state == finalState
        case .reopen:
            return trial.state == .paused
        }
    }

    /// Puts every failed trial back in the queue: what a coordinator does when it resumes a
    /// search that the failure rule stopped (the user has fixed the cause). Each continues from
    /// its last checkpoint, or starts over without one.
    public mutating func requeueFailedTrials(reason: String = "retried after the search stopped on failures") throws(StudyError) {
        let failed = snapshot.trials(in: .failed)
        try append(failed.map { .setState(number: $0.number, state: .waiting, reason: reason) })
    }

    /// Puts every running trial back in the queue with `reason`: what a coordinator does when
    /// it starts, since on its machine no trial process can have survived it. Each continues
    /// from its last checkpoint when a worker claims it again.
    public mutating func requeueRunningTrials(reason: String = "interrupted; continues from its last checkpoint") throws(StudyError) {
        let running = snapshot.trials(in: .running)
        try append(running.map { .setState(number: $0.number, state: .waiting, reason: reason, worker: $0.worker) })
    }
}
