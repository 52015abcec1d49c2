import Foundation
import FileFormats
import Testing
import TestSupport
@testable import Search

/// A journal written by the release before the trial protocol and the coordinator loop were
/// reorganised (8122e1f, `Tests/Fixtures/journals/`): an ASHA study of 6 trials whose coordinator
/// was killed and resumed. It must still read, and resume from any point of its history.
@Suite("Journals of earlier releases")
struct ReleaseJournalTests {
    static func fixture() throws -> SQLiteJournal {
        let source = TestEnvironment.committedFixtures.appendingPathComponent("journals/release-8122e1f-asha.sqlite")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tune-release-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("journal.sqlite")
        try FileManager.default.copyItem(at: source, to: copy)
        return try SQLiteJournal(path: copy.path)
    }

    @Test func aJournalOfTheLastReleaseReadsAndResumesFromAnyPoint() throws {
        let journal = try Self.fixture()
        let study = try Study.load(journal: journal)
        let header = study.snapshot.header
        #expect(header.name == "faults" && header.seed == 0)
        #expect(study.snapshot.entryCount == 67)
        #expect(study.snapshot.trials.count == 6 && study.snapshot.trials.allSatisfy { $0.state.isFinished })
        let definition = try SearchDefinition(document: header.document, source: "release journal")
        #expect(definition.fingerprint == header.fingerprint)  // the same search file, read by today's code
        #expect(definition.sampler == .random && definition.scheduler == .asha)

        // Resumed as it is: nothing left to do.
        let simulation = SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: 0), workers: 2, trialBudget: 6,
                                          objective: { _, trial, epoch in 0.5 + 0.01 * Double(trial) + 0.001 * Double(epoch) })
        var resumed = try Study.open(journal: journal, definition: definition, seed: 0)
        let result = try simulation.run(study: &resumed)
        #expect(result.status == .finished && result.epochsTrained == 0)

        // Cut anywhere (claims by the release's workers left running): the rest is run to the end.
        let operations = try journal.read(from: 0)
        for cut in 1..<operations.count {
            var partial = try Study.open(journal: InMemoryJournal(Array(operations[..<cut])), definition: definition, seed: 0)
            let continued = try simulation.run(study: &partial)
            #expect(continued.status == .finished, "cut after entry \(cut)")
            #expect(partial.snapshot.trials.count == 6 && partial.snapshot.trials.allSatisfy { $0.state.isFinished },
                    "cut after entry \(cut)")
        }
    }
}
