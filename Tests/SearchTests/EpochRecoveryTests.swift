import Testing
@testable import Search

/// Filling the journal from a trial's own epoch log (`EpochRecovery`).
@Suite("Recovering logged epochs")
struct EpochRecoveryTests {
    static let header = StudyHeader(name: "toy", fingerprint: "f", document: .object([:]), seed: 1)

    static func logged(_ epochs: ClosedRange<Int>) -> [(epoch: Int, metrics: [String: Double])] {
        epochs.map { (epoch: $0, metrics: ["m": Double($0) / 10]) }
    }

    /// A worker declared dead whose process trained epochs 4 and 5 more; another worker continued
    /// from that later checkpoint and reported 6: the journal holds 1-3 and 6, the log 1-6. After
    /// recovery the journal holds every epoch once, with the logged values.
    @Test func aGapBelowLaterReportsIsFilled() throws {
        var study = try Study.load(journal: InMemoryJournal([
            .createStudy(Self.header), .createTrial(number: 0, parameters: [:]),
            .claimTrial(number: 0, targetEpochs: 9, worker: "b"),
        ]))
        try study.append([1, 2, 3, 6].map { .reportEpoch(number: 0, epoch: $0, metrics: ["m": Double($0) / 10], worker: "b") })
        let operations = EpochRecovery.operations(trial: study.snapshot.trials[0], logged: Self.logged(1...6), owner: "b")
        try study.append(operations)
        let reports = study.snapshot.trials[0].reports
        #expect(reports.map(\.epoch) == [1, 2, 3, 4, 5, 6])
        #expect(reports.map { $0.metrics["m"] } == (1...6).map { Double($0) / 10 })
    }

    @Test func epochsAfterTheJournalsLastAreAddedAndNothingElse() throws {
        let trial = TrialSnapshot(number: 0, parameters: [:], state: .running, worker: "a",
                                  reports: (1...3).map { EpochReport(epoch: $0, metrics: ["m": 0], journalIndex: $0) })
        let missing = EpochRecovery.operations(trial: trial, logged: Self.logged(1...5), owner: "a")
        #expect(missing.map(\.trialNumber) == [0, 0])
        #expect(missing == [4, 5].map { .reportEpoch(number: 0, epoch: $0, metrics: ["m": Double($0) / 10], worker: "a") })
        #expect(EpochRecovery.operations(trial: trial, logged: Self.logged(1...3), owner: "a").isEmpty)
        // Reports the journal holds beyond the log are kept, re-reported after the gap.
        var ahead = trial
        ahead.reports = [1, 3].map { EpochReport(epoch: $0, metrics: ["m": 1], journalIndex: $0) }
        let filled = EpochRecovery.operations(trial: ahead, logged: Self.logged(1...2), owner: "a")
        #expect(filled == [.reportEpoch(number: 0, epoch: 2, metrics: ["m": 0.2], worker: "a"),
                           .reportEpoch(number: 0, epoch: 3, metrics: ["m": 1], worker: "a")])
    }
}
