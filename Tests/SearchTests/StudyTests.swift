import Foundation
import FileFormats
import Testing
@testable import Search

@Suite("Studies and resumption")
struct StudyTests {
    static func setup(method: String, trials: Int = 20, workers: Int = 3) throws -> (SearchDefinition, SearchSimulation) {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: method, maxEpochs: 9))
        let simulation = SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: 7), workers: workers,
                                          trialBudget: trials,
                                          objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) },
                                          epochSeconds: SearchFixtures.durations(seed: 2))
        return (definition, simulation)
    }

    @Test func replayingInPiecesGivesTheSameStateAsReplayingAtOnce() throws {
        let (definition, simulation) = try Self.setup(method: "asha")
        var study = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 7)
        _ = try simulation.run(study: &study)
        let operations = try study.journal.read(from: 0)
        var whole = StudyReplay(source: "j")
        try whole.apply(operations)
        #expect(whole.snapshot == study.snapshot)
        for cut in stride(from: 1, to: operations.count, by: 7) {
            var pieces = StudyReplay(source: "j")
            try pieces.apply(Array(operations[..<cut]))
            let atCut = pieces.snapshot
            var direct = StudyReplay(source: "j")
            try direct.apply(Array(operations[..<cut]))
            #expect(atCut == direct.snapshot)
            try pieces.apply(Array(operations[cut...]))
            #expect(pieces.snapshot == whole.snapshot)
        }
    }

    /// Kill the coordinator after any journal entry, rerun: the same final study as without the
    /// kill (the library form of the design's "kill -9 at any moment" promise).
    @Test(arguments: ["asha", "sha", "hyperband", "random"])
    func resumingAfterAnyCutGivesTheUninterruptedResult(method: String) throws {
        let (definition, simulation) = try Self.setup(method: method, trials: ["hyperband": 14, "random": 6][method] ?? 12)
        var reference = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 7)
        let uninterrupted = try simulation.run(study: &reference)
        #expect(uninterrupted.status == .finished)
        let operations = try reference.journal.read(from: 0)
        for cut in 1..<operations.count {
            let journal = InMemoryJournal(Array(operations[..<cut]))
            var study = try Study.open(journal: journal, definition: definition, seed: 7)
            let resumed = try simulation.run(study: &study)
            #expect(resumed.status == .finished)
            #expect(SearchFixtures.outcome(resumed.snapshot) == SearchFixtures.outcome(uninterrupted.snapshot), "cut after entry \(cut)")
        }
    }

    @Test func manyInterruptionsInARowChangeNothing() throws {
        let (definition, simulation) = try Self.setup(method: "asha", trials: 27)
        var reference = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 7)
        let uninterrupted = try simulation.run(study: &reference)

        let journal = InMemoryJournal()
        let files = InMemoryTrialLauncher.Files()  // the trial folders outlive each killed coordinator
        var runs = 0
        var epochs = 0
        while true {
            var study = try Study.open(journal: journal, definition: definition, seed: 7)
            let result = try simulation.run(study: &study, appendLimit: 13, files: files)
            runs += 1
            epochs += result.epochsTrained
            if !result.interrupted { break }
        }
        let final = try Study.load(journal: journal).snapshot
        #expect(runs > 10)
        #expect(SearchFixtures.outcome(final) == SearchFixtures.outcome(uninterrupted.snapshot))
        #expect(epochs == uninterrupted.epochsTrained)  // continued from checkpoints, nothing retrained
        #expect(final.trials.map(\.parameters) == uninterrupted.snapshot.trials.map(\.parameters))
    }

    @Test func theTrialBudgetIsATotal() throws {
        let (definition, simulation) = try Self.setup(method: "random", trials: 10)
        let journal = InMemoryJournal()
        var study = try Study.open(journal: journal, definition: definition, seed: 7)
        _ = try simulation.run(study: &study)
        #expect(study.snapshot.trials.count == 10)

        var again = try Study.open(journal: journal, definition: definition, seed: 7)
        let rerun = try simulation.run(study: &again)
        #expect(rerun.epochsTrained == 0)  // --trials 10 again: nothing new (optuna #1865)
        #expect(again.snapshot.trials.count == 10)

        var more = simulation
        more.trialBudget = 15
        let extended = try more.run(study: &again)
        #expect(again.snapshot.trials.count == 15)
        #expect(extended.epochsTrained == 5 * 9)
        // The five new trials are what a 15-trial search would have drawn: no repeats, no shift.
        var fresh = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 7)
        _ = try more.run(study: &fresh)
        #expect(again.snapshot.trials.map(\.parameters) == fresh.snapshot.trials.map(\.parameters))
        #expect(Set(again.snapshot.trials.map(\.parameters.canonicalText)).count == 15)
    }

    @Test func aChangedSearchFileOrSeedIsRefused() throws {
        let journal = InMemoryJournal()
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha"), source: "Searches/toy.json")
        _ = try Study.open(journal: journal, definition: definition, seed: 1)
        let changed = try SearchFixtures.definition(SearchFixtures.space(method: "asha", maxEpochs: 9), source: "Searches/toy.json")
        do throws(StudyError) {
            _ = try Study.open(journal: journal, definition: changed, seed: 1)
            Issue.record("resumed with a changed file")
        } catch {
            #expect(error.kind == .searchFileChanged)
            #expect(error.message.contains("Searches/toy.json") && error.message.contains("--fresh"))
            #expect(error.message.contains("changed: budget"))
        }
        // A TPE study resumed with another sampler: the message names the field.
        let tpeJournal = InMemoryJournal()
        let tpe = try SearchFixtures.definition(TPESamplerTests.space(scheduler: "asha"), source: "Searches/toy.json")
        _ = try Study.open(journal: tpeJournal, definition: tpe, seed: 1)
        let otherSampler = try SearchFixtures.definition(TPESamplerTests.space(sampler: "\"random\"", scheduler: "asha"), source: "Searches/toy.json")
        do throws(StudyError) {
            _ = try Study.open(journal: tpeJournal, definition: otherSampler, seed: 1)
            Issue.record("resumed a tpe study with the random sampler")
        } catch {
            #expect(error.kind == .searchFileChanged && error.message.contains("(changed: sampler)"))
        }
        #expect(try tpeJournal.read(from: 0).count == 1)
        do throws(StudyError) {
            _ = try Study.open(journal: journal, definition: definition, seed: 2)
            Issue.record("resumed with another seed")
        } catch {
            #expect(error.kind == .seedChanged)
            #expect(error.message.contains("--seed 1"))
        }
        #expect(try journal.read(from: 0).count == 1)  // a refused invocation wrote nothing
        #expect(throws: StudyError.self) { try Study.load(journal: InMemoryJournal()) }
    }

    @Test func racesAreResolvedByJournalOrder() throws {
        let journal = InMemoryJournal()
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random"))
        var alice = try Study.open(journal: journal, definition: definition, seed: 0)
        var bob = try Study.open(journal: journal, definition: definition, seed: 0)
        let scheduler = SearchScheduler(definition: definition, seed: 0)
        // Both see the same snapshot and both decide to start trial 0.
        let aliceAction = try #require(scheduler.nextActions(snapshot: alice.snapshot, freeSlots: 1, trialBudget: 5).first)
        let bobAction = try #require(scheduler.nextActions(snapshot: bob.snapshot, freeSlots: 1, trialBudget: 5).first)
        #expect(try alice.record(aliceAction, worker: "alice"))
        #expect(try bob.record(bobAction, worker: "bob") == false)  // bob must not run it
        #expect(bob.snapshot.trials[0].worker == "alice")
        #expect(bob.snapshot.ignoredEntries.count == 2)
        try bob.append([.setState(number: 0, state: .complete, reason: nil)])
        try bob.append([.setState(number: 0, state: .failed, reason: "late")])  // a finished trial stays finished
        #expect(bob.snapshot.trials[0].state == .complete)
        #expect(bob.snapshot.ignoredEntries.count == 3)
    }

    @Test func aRepeatedEpochReplacesTheOldReportAndWhatFollowed() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random"))
        let header = StudyHeader(name: "toy", fingerprint: definition.fingerprint, document: definition.document, seed: 0)
        var replay = StudyReplay(source: "j")
        try replay.apply([.createStudy(header), .createTrial(number: 0, parameters: [:]),
                          .reportEpoch(number: 0, epoch: 1, metrics: ["m": 1]), .reportEpoch(number: 0, epoch: 2, metrics: ["m": 2]),
                          .reportEpoch(number: 0, epoch: 3, metrics: ["m": .nan]),
                          .reportEpoch(number: 0, epoch: 2, metrics: ["m": 2.5])])
        let trial = try #require(replay.snapshot?.trials.first)
        #expect(trial.reports.map(\.epoch) == [1, 2])
        #expect(trial.value(of: "m", atEpoch: 9) == 2.5)
        #expect(trial.epochsTrained == 2)
    }

    /// The best trial is the leaderboard's first: ranked by its best epoch, not its last one.
    @Test func theBestTrialIsRankedByItsBestEpoch() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random"))
        let header = StudyHeader(name: "toy", fingerprint: definition.fingerprint, document: definition.document, seed: 0)
        var replay = StudyReplay(source: "j")
        try replay.apply([.createStudy(header), .createTrial(number: 0, parameters: [:]), .createTrial(number: 1, parameters: [:]),
                          .reportEpoch(number: 0, epoch: 1, metrics: ["m": 0.9]), .reportEpoch(number: 0, epoch: 2, metrics: ["m": 0.5]),
                          .reportEpoch(number: 1, epoch: 1, metrics: ["m": 0.7]), .reportEpoch(number: 1, epoch: 2, metrics: ["m": .nan])])
        let snapshot = try #require(replay.snapshot)
        #expect(snapshot.bestTrial(by: SearchMetric(name: "m", goal: .maximize))?.number == 0)
        #expect(snapshot.bestTrial(by: SearchMetric(name: "m", goal: .minimize))?.number == 0)
        #expect(snapshot.bestTrial(by: SearchMetric(name: "other", goal: .maximize)) == nil)
    }

    @Test func aDamagedJournalIsReportedWithTheEntry() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random"))
        let header = StudyHeader(name: "toy", fingerprint: definition.fingerprint, document: definition.document, seed: 0)
        let cases: [([JournalOperation], String)] = [
            ([.createTrial(number: 0, parameters: [:])], "entry 0 comes before"),
            ([.createStudy(header), .reportEpoch(number: 3, epoch: 1, metrics: [:])], "entry 1 refers to trial 3"),
            ([.createStudy(header), .createTrial(number: 2, parameters: [:])], "entry 1 creates trial 2"),
        ]
        for (operations, words) in cases {
            do throws(StudyError) {
                _ = try Study.load(journal: InMemoryJournal(operations), source: "Searches/toy/journal.sqlite")
                Issue.record("accepted \(operations)")
            } catch {
                #expect(error.kind == .corruptJournal)
                #expect(error.message.contains("Searches/toy/journal.sqlite: journal entry") && error.message.contains(words), "\(error)")
            }
        }
    }

    /// Two coordinators that start the same new study at the same moment both find the journal
    /// empty and both append the header: the study stays readable and resumable, the first
    /// header wins, and a coordinator with another search file or seed is refused as usual.
    @Test func aStudyCreatedTwiceAtOnceStaysReadable() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha"))
        let header = StudyHeader(name: definition.name, fingerprint: definition.fingerprint, document: definition.document, seed: 0)
        var reseeded = header
        reseeded.seed = 5
        let journal = InMemoryJournal([.createStudy(header), .createStudy(header), .createStudy(reseeded)])
        let loaded = try Study.load(journal: journal)
        #expect(loaded.snapshot.header == header)
        #expect(loaded.snapshot.ignoredEntries.keys.sorted() == [1, 2])
        var study = try Study.open(journal: journal, definition: definition, seed: 0)
        let actions = SearchScheduler(definition: definition, seed: 0).nextActions(snapshot: study.snapshot, freeSlots: 1, trialBudget: 3)
        #expect(try study.record(#require(actions.first), worker: "w"))
        #expect(throws: StudyError.self) { _ = try Study.open(journal: journal, definition: definition, seed: 5) }
    }

    @Test func requeuedTrialsResumeTowardTheirTarget() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha", maxEpochs: 9))
        var study = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 0)
        let scheduler = SearchScheduler(definition: definition, seed: 0)
        for action in scheduler.nextActions(snapshot: study.snapshot, freeSlots: 2, trialBudget: 9) {
            try study.record(action, worker: "w")
        }
        try study.append([.reportEpoch(number: 1, epoch: 1, metrics: ["val_accuracy": 0.5])])
        try study.requeueRunningTrials()
        #expect(study.snapshot.trials.map(\.state) == [.waiting, .waiting])
        let actions = scheduler.nextActions(snapshot: study.snapshot, freeSlots: 1, trialBudget: 9)
        #expect(actions == [.resume(trialNumber: 0, targetEpochs: 1)])
    }
}

/// Raising `--trials` on a finished successive-halving study: trials pruned only because a rung
/// closed under the old budget go back to their rung, so as many trials climb as in a study
/// started with the larger budget.
@Suite("Raising the trial budget of a finished study")
struct RaisedBudgetTests {
    static func simulation(_ definition: SearchDefinition, trials: Int) -> SearchSimulation {
        SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: 7), workers: 2, trialBudget: trials,
                         objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) },
                         epochSeconds: SearchFixtures.durations(seed: 2))
    }

    /// The trials that reached each rung's epochs.
    static func climbers(_ snapshot: StudySnapshot, rungs: [Int]) -> [Int] {
        rungs.map { epochs in snapshot.trials.filter { $0.epochsTrained >= epochs }.count }
    }

    @Test(arguments: ["asha", "sha"])
    func nineThenTwentySevenTrialsClimbLikeTwentySevenFromTheStart(method: String) throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: method, maxEpochs: 9))
        var fresh = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 7)
        #expect(try Self.simulation(definition, trials: 27).run(study: &fresh).status == .finished)

        var raised = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 7)
        #expect(try Self.simulation(definition, trials: 9).run(study: &raised).status == .finished)
        #expect(raised.snapshot.trials(in: .pruned).count > 0)
        #expect(try Self.simulation(definition, trials: 27).run(study: &raised).status == .finished)

        let rungs = definition.budget.rungEpochs
        let reached = Self.climbers(raised.snapshot, rungs: rungs), expected = Self.climbers(fresh.snapshot, rungs: rungs)
        #expect(zip(reached, expected).allSatisfy { $0 >= $1 }, "reached \(reached), a fresh 27-trial study \(expected)")
        if method == "asha" {
            // Promotions in trial-number order are the fresh study's exactly: the first nine
            // results are processed the same way, then the rest as if the budget had been 27.
            #expect(SearchFixtures.outcome(raised.snapshot) == SearchFixtures.outcome(fresh.snapshot))
        }
    }
}
