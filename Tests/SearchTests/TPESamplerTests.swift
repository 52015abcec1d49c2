import Foundation
import FileFormats
import Testing
@testable import Search

/// The TPE sampler inside a search: the same trials at any parallelism, better than random on a
/// toy objective, BOHB's choice of rung, and waiting for a view that is not complete yet.
@Suite("TPE in a search")
struct TPESamplerTests {
    /// `SearchFixtures.space` with `"sampler"` (a name or an object) and `"scheduler"`.
    static func space(sampler: String = "\"tpe\"", scheduler: String, maxEpochs: Int = 9) -> String {
        SearchFixtures.space(method: "asha", maxEpochs: maxEpochs)
            .replacingOccurrences(of: "\"method\": \"asha\"", with: "\"sampler\": \(sampler), \"scheduler\": \"\(scheduler)\"")
    }

    static func simulate(_ definition: SearchDefinition, workers: Int, trials: Int, seed: Int = 0,
                         objective: @escaping InMemoryTrialLauncher.Objective = { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) })
        throws -> SearchSimulation.Result {
        let simulation = SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: seed), workers: workers,
                                          trialBudget: trials, objective: objective, epochSeconds: SearchFixtures.durations(seed: 5))
        var study = try SearchFixtures.study(definition, seed: seed)
        return try simulation.run(study: &study)
    }

    @Test(arguments: ["none", "asha", "hyperband", "sha"])
    func theSameTrialsAtAnyParallelism(scheduler: String) throws {
        let definition = try SearchFixtures.definition(Self.space(scheduler: scheduler))
        let trials = scheduler == "none" ? 24 : 40
        let outcomes = try [1, 2, 4].map { workers in
            let result = try Self.simulate(definition, workers: workers, trials: trials)
            #expect(result.status == .finished, "\(workers) workers")
            return SearchFixtures.outcome(result.snapshot)
        }
        #expect(outcomes[0].count == trials)
        #expect(outcomes[1] == outcomes[0])
        #expect(outcomes[2] == outcomes[0])
        // The model did choose: past the random start-up, trials differ from random search's
        // (under a scheduler a third are random by design, and hyperband's later brackets start
        // higher, so fewer results are in view).
        let random = RandomSampler(parameters: definition.parameters, seed: 0)
        let result = try Self.simulate(definition, workers: 2, trials: trials)
        let modelBased = (13..<trials).filter { result.snapshot.trials[$0].parameters != random.parameters(forTrial: $0) }
        #expect(modelBased.count >= 8, "\(modelBased.count) model-based trials")
    }

    @Test func findsBetterConfigurationsThanRandomSearch() throws {
        let tpe = try SearchFixtures.definition(Self.space(scheduler: "none", maxEpochs: 3))
        let random = try SearchFixtures.definition(SearchFixtures.space(method: "random", maxEpochs: 3))
        let metric = tpe.metric
        func best(_ definition: SearchDefinition, seed: Int) throws -> Double {
            try Self.simulate(definition, workers: 1, trials: 40, seed: seed).snapshot.leaderboard(by: metric).first?.value ?? 0
        }
        let seeds = 0..<9
        let tpeBest = try seeds.map { try best(tpe, seed: $0) }.sorted()
        let randomBest = try seeds.map { try best(random, seed: $0) }.sorted()
        // Medians over the seeds, and TPE ahead in most seeds.
        #expect(tpeBest[4] > randomBest[4])
        #expect(zip(tpeBest, randomBest).filter { $0 > $1 }.count >= 6)
    }

    @Test func bohbFitsTheHighestRungWithEnoughResults() throws {
        // 4 parameters: a rung above the first needs 5 results. ASHA over 1, 3, 9, 27 epochs.
        let definition = try SearchFixtures.definition(Self.space(scheduler: "asha", maxEpochs: 27))
        let result = try Self.simulate(definition, workers: 2, trials: 60)
        let view = ModelView(definition: definition, requiredResults: 5, lag: 0)
        // 60 trials promote 20 to 3 epochs, 6 to 9, 2 to 27: the model sees the 9-epoch rung.
        guard case .ready(let epochs, let observations) = view.observe(result.snapshot, trial: 60) else {
            Issue.record("the view of a finished study is complete")
            return
        }
        #expect(epochs == 9)
        #expect(observations.count == 60)
        #expect(observations.filter(\.reachedRung).count == 6)
        #expect(Set(observations.filter { !$0.reachedRung }.map(\.epochs)) == [1, 3])
        // 14 trials: 4 promoted to 3 epochs (fewer than 5), so the first rung.
        guard case .ready(let fewer, let first) = view.observe(result.snapshot, trial: 14) else {
            Issue.record("the first 14 trials' view is complete")
            return
        }
        #expect(fewer == 1 && first.count == 14 && first.allSatisfy(\.reachedRung))
    }

    @Test func higherRungsAreViewedOverEarlierTrials() throws {
        // lag 2, eta 3: trial 60 views rung 1 epoch over 58 trials, 3 epochs over 54, 9 over 42.
        let definition = try SearchFixtures.definition(Self.space(scheduler: "asha", maxEpochs: 27))
        let result = try Self.simulate(definition, workers: 2, trials: 60)
        let view = ModelView(definition: definition, requiredResults: 5, lag: 2)
        #expect((0..<4).map { view.visibleTrials(forTrial: 60, level: $0) } == [58, 54, 42, 6])
        // 54 trials promote 18 to 3 epochs; 42 promote 14, then 4 to 9 epochs (fewer than 5).
        guard case .ready(let epochs, let observations) = view.observe(result.snapshot, trial: 60) else {
            Issue.record("the view of a finished study is complete")
            return
        }
        #expect(epochs == 3 && observations.count == 54 && observations.filter(\.reachedRung).count == 18)
    }

    @Test func failedTrialsNeverCount() throws {
        let definition = try SearchFixtures.definition(Self.space(scheduler: "none", maxEpochs: 3))
        let result = try Self.simulate(definition, workers: 2, trials: 20) { parameters, trial, epoch in
            trial % 4 == 1 && epoch == 2 ? .nan : SearchFixtures.learningCurve(parameters, trialNumber: trial, epoch: epoch)
        }
        let view = ModelView(definition: definition, requiredResults: 5, lag: 0)
        guard case .ready(_, let observations) = view.observe(result.snapshot, trial: 20) else {
            Issue.record("the view of a finished study is complete")
            return
        }
        #expect(observations.map(\.number) == (0..<20).filter { $0 % 4 != 1 })
    }

    @Test func waitsWhileATrialInViewIsStillRunning() throws {
        let definition = try SearchFixtures.definition(Self.space(sampler: "{\"name\": \"tpe\", \"n_startup_trials\": 3, \"lag\": 1}", scheduler: "none", maxEpochs: 3))
        let finished = try Self.simulate(definition, workers: 1, trials: 6).snapshot
        let sampler = TPESampler(definition: definition, seed: 0)
        // Trial 6 sees trials 0-4: all finished, so it is drawn; trial 7 would need trial 5's... no, 0-5, and
        // trial 8 needs trial 6, which does not exist yet.
        let metric = definition.metric
        guard case .parameters = sampler.sample(trial: 6, study: finished, metric: metric, excluding: finished.usedConfigurations) else {
            Issue.record("trial 6's view is complete")
            return
        }
        #expect(sampler.sample(trial: 8, study: finished, metric: metric, excluding: finished.usedConfigurations) == .wait)
        // With trial 4 still running, trial 6 waits.
        var running = finished
        running.trials[4].state = .running
        running.trials[4].reports.removeLast()
        #expect(sampler.sample(trial: 6, study: running, metric: metric, excluding: running.usedConfigurations) == .wait)
        // Trials before the start-up count are random, at once.
        let random = RandomSampler(parameters: definition.parameters, seed: 0)
        #expect(sampler.sample(trial: 3, study: running, metric: metric, excluding: []) == .parameters(random.parameters(forTrial: 3) ?? [:]))
    }
}
