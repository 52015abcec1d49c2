import Synchronization

/// What successive halving worked out for a rung from the first arrivals whose results are known,
/// kept between decisions so a long study is not re-ranked from its first trial at every journal
/// entry. Reused only when it is certainly what a fresh evaluation would give: the snapshot
/// continues the journal it came from (`StudySnapshot.entryDigests`), the rung's arrivals still
/// begin with the ones processed, and none of those trials has changed since (`TrialVersion`).
/// Any doubt means starting the rung over, so results never depend on the memo.
final class RungMemo: Sendable {
    struct Key: Hashable {
        var bracket: Int
        var level: Int
    }

    /// What a trial's result at a rung depends on: the journal entry of its first report at or
    /// beyond the rung's epochs (a replaced report drops every later one, so a new entry means a
    /// new result), or, without such a report, the entry of its last state change. Later reports
    /// and state changes (promotion, pruning) leave it alone. Equal in one journal: the same result.
    struct TrialVersion: Equatable {
        var arrivalJournalIndex: Int
        var stateJournalIndex: Int

        init(_ trial: borrowing TrialSnapshot, rungEpochs: Int) {
            if let arrival = trial.reports.first(where: { $0.epoch >= rungEpochs }) {
                arrivalJournalIndex = arrival.journalIndex
                stateJournalIndex = -1
            } else {
                arrivalJournalIndex = -1
                stateJournalIndex = trial.stateJournalIndex
            }
        }
    }

    /// A rung after processing its first `arrivals.count` arrivals.
    struct Progress {
        var arrivals: [Int] = []
        var versions: [TrialVersion] = []
        var results: [RungResult] = []
        var successCount = 0
        var candidates: BestFirstQueue
        var promoted: [Int] = []
        /// The journal position it was worked out at.
        var entryCount = 0
        var digest: UInt64 = 0
    }

    private let entries = Mutex<[Key: Progress]>([:])

    /// The stored progress of rung `key`, taken out (so extending it copies nothing), if it holds
    /// for this snapshot (`digests`) and `sequence` of arrivals among `members`; nil otherwise.
    func progress(_ key: Key, rungEpochs: Int, digests: [UInt64], sequence: [Int], members: BracketMembers) -> Progress? {
        guard let stored = entries.withLock({ $0.removeValue(forKey: key) }) else { return nil }
        guard stored.entryCount >= 1, stored.entryCount <= digests.count, digests[stored.entryCount - 1] == stored.digest,
              stored.arrivals.count <= sequence.count else { return nil }
        for (offset, number) in stored.arrivals.enumerated() {
            guard sequence[offset] == number, members.numbers.contains(number),
                  TrialVersion(members.buffer[number - members.first], rungEpochs: rungEpochs) == stored.versions[offset] else { return nil }
        }
        return stored
    }

    func store(_ key: Key, _ progress: Progress) {
        entries.withLock { $0[key] = progress }
    }
}
