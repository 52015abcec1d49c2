import Foundation
import FileFormats
import Testing
@testable import Search

@Suite("Schedulers")
struct SchedulerTests {
    static func simulate(method: String, trials: Int, workers: Int = 2, durationSeed: Int = 1, seed: Int = 0,
                         maxEpochs: Int = 27, arrivalOrder: ArrivalOrder = .trialNumber,
                         failurePolicy: FailurePolicy = FailurePolicy(),
                         objective: (@Sendable (TrialParameters, Int, Int) -> Double)? = nil) throws -> SearchSimulation.Result {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: method, maxEpochs: maxEpochs))
        let scheduler = SearchScheduler(definition: definition, seed: seed, failurePolicy: failurePolicy, arrivalOrder: arrivalOrder)
        let simulation = SearchSimulation(
            scheduler: scheduler, workers: workers, trialBudget: trials,
            objective: objective ?? { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) },
            epochSeconds: SearchFixtures.durations(seed: durationSeed))
        var study = try SearchFixtures.study(definition, seed: seed)
        return try simulation.run(study: &study)
    }

    static func summaries(_ result: SearchSimulation.Result, method: String, trials: Int) throws -> [BracketSummary] {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: method))
        return SearchScheduler(definition: definition, seed: 0).brackets(snapshot: result.snapshot, trialBudget: trials)
    }

    /// The numbers of `results` ordered best first (maximize; ties by number).
    static func ranked(_ results: [RungResult]) -> [Int] {
        results.compactMap { result in result.value.map { (result.trialNumber, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0)
    }

    @Test(arguments: ["random", "grid"])
    func randomAndGridTrainEveryTrialToTheMaximum(method: String) throws {
        let definition = try SearchFixtures.definition(method == "random" ? SearchFixtures.space(method: "random", maxEpochs: 4) : """
            {"name": "g", "method": "grid", "metric": {"name": "val_accuracy", "goal": "maximize"}, "budget": {"max_epochs": 4},
             "parameters": {"lr": {"values": [0.001, 0.01]}, "dropout": {"values": [0.1, 0.2, 0.3]},
                            "lstm_hidden": {"value": 64}, "variant": {"value": "lstm"}}}
            """)
        let simulation = SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: 0), workers: 3, trialBudget: 10,
                                          objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) })
        var study = try SearchFixtures.study(definition)
        let result = try simulation.run(study: &study)
        #expect(result.status == .finished)
        let expected = method == "grid" ? 6 : 10  // the grid has 6 points: --trials 10 stops there
        #expect(result.snapshot.trials.count == expected)
        #expect(result.snapshot.trials.allSatisfy { $0.state == .complete && $0.epochsTrained == 4 })
        #expect(result.epochsTrained == expected * 4)
    }

    @Test func synchronousHalvingPromotesExactlyTheTopThirdOfEachRung() throws {
        let result = try Self.simulate(method: "sha", trials: 27, workers: 4)
        #expect(result.status == .finished)
        let rungs = try #require(try Self.summaries(result, method: "sha", trials: 27).first).rungs
        #expect(rungs.map(\.epochs) == [1, 3, 9, 27])
        #expect(rungs.map(\.results.count) == [27, 9, 3, 1])
        for rung in rungs.dropLast() {
            #expect(Set(rung.promoted) == Set(Self.ranked(rung.results).prefix(rung.results.count / 3)))
        }
        let states = result.snapshot.trials.map(\.state)
        #expect(states.filter { $0 == .complete }.count == 1)
        #expect(states.filter { $0 == .pruned }.count == 26)
        #expect(result.epochsTrained == 27 + 9 * 2 + 3 * 6 + 1 * 18)  // promoted trials continue, never retrain
        // Synchronous: nothing reaches rung 1 before every trial reported at rung 0.
        let firstPromotion = result.snapshot.trials.compactMap { $0.reports.first { $0.epoch == 2 }?.journalIndex }.min() ?? 0
        let lastRungZero = result.snapshot.trials.compactMap { $0.reports.first { $0.epoch == 1 }?.journalIndex }.max() ?? 0
        #expect(firstPromotion > lastRungZero)
    }

    @Test func asynchronousHalvingPromotesExactlyAThirdInTrialNumberOrder() throws {
        let result = try Self.simulate(method: "asha", trials: 27, workers: 4)
        #expect(result.status == .finished)
        let rungs = try #require(try Self.summaries(result, method: "asha", trials: 27).first).rungs
        #expect(rungs.map(\.results.count) == [27, 9, 3, 1])
        #expect(rungs[0].arrivals == Array(0..<27))
        // Reference: process each rung's results in arrival order; after m results, floor(m/3)
        // promotions, each the best not yet promoted.
        for rung in rungs.dropLast() {
            var promoted: [Int] = []
            for processed in 1...rung.results.count {
                let ranked = Self.ranked(Array(rung.results.prefix(processed)))
                while promoted.count < processed / 3, let best = ranked.first(where: { !promoted.contains($0) }) {
                    promoted.append(best)
                }
            }
            #expect(rung.promoted == promoted)
        }
        #expect(result.epochsTrained == 27 + 9 * 2 + 3 * 6 + 1 * 18)
    }

    /// The learning curve, except that every seventh trial fails at its fifth epoch (after rung
    /// 1, before rung 2), so failures land in the middle of promotions.
    static let sometimesFailing: @Sendable (TrialParameters, Int, Int) -> Double = { parameters, trial, epoch in
        trial % 7 == 3 && epoch == 5 ? .nan : SearchFixtures.learningCurve(parameters, trialNumber: trial, epoch: epoch)
    }

    @Test(arguments: ["asha", "sha", "hyperband", "random"])
    func promotionsDoNotDependOnCompletionOrderOrParallelism(method: String) throws {
        let reference = try Self.simulate(method: method, trials: 30, workers: 1, durationSeed: 0, objective: Self.sometimesFailing)
        #expect(reference.status == .finished)
        #expect(reference.snapshot.trials.contains { $0.state == .failed })
        for (workers, durationSeed) in [(2, 1), (3, 2), (5, 3), (8, 4), (16, 5)] {
            let other = try Self.simulate(method: method, trials: 30, workers: workers, durationSeed: durationSeed,
                                          objective: Self.sometimesFailing)
            #expect(SearchFixtures.outcome(other.snapshot) == SearchFixtures.outcome(reference.snapshot),
                    "\(method) with \(workers) workers")
        }
    }

    @Test func plainAshaDependsOnTiming() throws {
        // The control for the test above: processing results as they complete does change them.
        let outcomes = try (1...6).map { seed in
            SearchFixtures.outcome(try Self.simulate(method: "asha", trials: 30, workers: 4, durationSeed: seed,
                                                     arrivalOrder: .completion).snapshot)
        }
        #expect(Set(outcomes.map { $0.joined(separator: "\n") }).count > 1)
    }

    @Test func hyperbandBracketsFollowThePaper() {
        // Li et al. 2018, Table 1: R = 81, eta = 3.
        let plan = HyperbandPlan(budget: EpochBudget(minimumEpochs: 1, maximumEpochs: 81, eta: 3))
        #expect(plan.brackets.map(\.halvings) == [4, 3, 2, 1, 0])
        #expect(plan.brackets.map(\.trialCount) == [81, 34, 15, 8, 5])
        #expect(plan.brackets.map(\.rungEpochs) == [[1, 3, 9, 27, 81], [3, 9, 27, 81], [9, 27, 81], [27, 81], [81]])
        #expect(plan.brackets.map(\.trialsPerRung) == [[81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5]])
        #expect(plan.trialsPerRound == 143)
        #expect(plan.bracket(ofTrial: 80).index == 0)
        #expect(plan.bracket(ofTrial: 81) == Bracket(index: 1, firstTrial: 81, capacity: 34, rungEpochs: [3, 9, 27, 81]))
        #expect(plan.bracket(ofTrial: 142).index == 4)
        #expect(plan.bracket(ofTrial: 143) == Bracket(index: 5, firstTrial: 143, capacity: 81, rungEpochs: [1, 3, 9, 27, 81]))
    }

    @Test func hyperbandRunsEachBracketAsPlanned() throws {
        let plan = HyperbandPlan(budget: EpochBudget(minimumEpochs: 1, maximumEpochs: 27, eta: 3))
        #expect(plan.brackets.map(\.trialCount) == [27, 12, 6, 4])
        let result = try Self.simulate(method: "hyperband", trials: plan.trialsPerRound, workers: 3)
        #expect(result.status == .finished)
        let summaries = try Self.summaries(result, method: "hyperband", trials: plan.trialsPerRound)
        #expect(summaries.count == 4)
        for (summary, bracket) in zip(summaries, plan.brackets) {
            #expect(summary.rungs.map(\.epochs) == bracket.rungEpochs)
            #expect(summary.rungs.map(\.results.count) == bracket.trialsPerRung)
        }
        #expect(result.epochsTrained == plan.epochsPerRound)
        #expect(result.snapshot.trials.filter { $0.state == .complete }.count == 1 + 1 + 2 + 4)
    }

    @Test func aSmallHalvingSearchStillTrainsOneTrialFully() throws {
        for method in ["sha", "asha"] {
            let result = try Self.simulate(method: method, trials: 2, workers: 2)
            #expect(result.status == .finished)
            #expect(result.snapshot.trials.filter { $0.state == .complete }.count == 1, "\(method)")
        }
    }

    @Test func aPromotionAlreadyCarriedOutIsNeverTakenBack() throws {
        // Trial 0 is sent to rung 1 by hand before the rule would promote anything.
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha", maxEpochs: 9))
        let scheduler = SearchScheduler(definition: definition, seed: 0)
        var study = try SearchFixtures.study(definition)
        for action in scheduler.nextActions(snapshot: study.snapshot, freeSlots: 1, trialBudget: 6) {
            try study.record(action, worker: "w")
        }
        try study.append([.reportEpoch(number: 0, epoch: 1, metrics: ["val_accuracy": 0.1]),
                          .setState(number: 0, state: .paused, reason: nil),
                          .claimTrial(number: 0, targetEpochs: 3, worker: "by hand")])
        let simulation = SearchSimulation(scheduler: scheduler, workers: 2, trialBudget: 6,
                                          objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) })
        let result = try simulation.run(study: &study)
        #expect(result.status == .finished)
        let rungs = try #require(scheduler.brackets(snapshot: study.snapshot, trialBudget: 6).first).rungs
        #expect(rungs[0].promoted.contains(0))
        #expect(rungs[1].results.contains { $0.trialNumber == 0 })
    }

    @Test func theSearchStopsWhenTheFirstTrialsAllFail() throws {
        let result = try Self.simulate(method: "asha", trials: 50, workers: 2, objective: { _, _, _ in .nan })
        guard case .stopped(let reason) = result.status else {
            Issue.record("status \(result.status)")
            return
        }
        #expect(reason.contains("first 3 trials all failed"))
        #expect(reason.contains("val_accuracy is NaN"))
        #expect(result.snapshot.trials.count <= 4)  // at most the workers' last starts
        #expect(result.snapshot.trials.allSatisfy { $0.state == .failed })
    }

    @Test func aStoppedSearchRetriesItsFailedTrialsOnceRequeued() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha", maxEpochs: 9))
        let scheduler = SearchScheduler(definition: definition, seed: 0)
        var study = try SearchFixtures.study(definition)
        let broken = SearchSimulation(scheduler: scheduler, workers: 2, trialBudget: 9, objective: { _, _, epoch in
            epoch == 1 ? 0.4 : .nan  // as if the data were wrong: one epoch, then divergence
        })
        guard case .stopped = try broken.run(study: &study).status else {
            Issue.record("the failures did not stop the search")
            return
        }
        try study.requeueFailedTrials()
        var fixed = broken
        fixed.objective = { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) }
        let result = try fixed.run(study: &study)
        #expect(result.status == .finished)
        #expect(study.snapshot.trials.count == 9)
        #expect(study.snapshot.trials.allSatisfy { trial in trial.reports.allSatisfy { !($0.metrics["val_accuracy"]?.isNaN ?? true) } })
    }

    @Test func theSearchStopsAfterARunOfFailures() throws {
        let result = try Self.simulate(method: "random", trials: 60, workers: 1, maxEpochs: 2,
                                       objective: { parameters, trial, epoch in
                                           trial >= 5 ? .nan : SearchFixtures.learningCurve(parameters, trialNumber: trial, epoch: epoch)
                                       })
        guard case .stopped(let reason) = result.status else {
            Issue.record("status \(result.status)")
            return
        }
        #expect(reason.contains("Trials 5 to 14 all failed"))
        #expect(result.snapshot.trials.count == 15)
    }

    @Test func failedTrialsDoNotStopASearchThatOtherwiseWorks() throws {
        let result = try Self.simulate(method: "asha", trials: 27, workers: 3, objective: { parameters, trial, epoch in
            trial % 4 == 1 ? .nan : SearchFixtures.learningCurve(parameters, trialNumber: trial, epoch: epoch)
        })
        #expect(result.status == .finished)
        #expect(result.snapshot.trials.filter { $0.state == .failed }.count == 7)
        #expect(result.snapshot.trials.filter { $0.state == .complete }.count >= 1)
    }
}

/// A sampler that decides from the results of every earlier trial (as a model-based sampler with
/// a view of the whole study would): it waits until they are all finished, then draws at random.
struct WaitingForEveryResultSampler: ParameterSampler {
    let random: RandomSampler

    func sample(trial number: Int, study: StudySnapshot, metric: SearchMetric, excluding used: Set<String>) -> SamplerAnswer {
        let earlier = study.trials.prefix(number)
        guard earlier.count == number, earlier.allSatisfy({ $0.state.isFinished && $0.bestValue(of: metric) != nil }) else {
            return .wait
        }
        return random.sample(trial: number, study: study, metric: metric, excluding: used)
    }
}

@Suite("Samplers that wait")
struct WaitingSamplerTests {
    @Test(arguments: [1, 3])
    func aSamplerThatWaitsGetsTheStudyAndTheSearchStillFinishes(workers: Int) throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random", maxEpochs: 3))
        let sampler = WaitingForEveryResultSampler(random: RandomSampler(parameters: definition.parameters, seed: 0))
        let scheduler = SearchScheduler(definition: definition, seed: 0, sampler: sampler)
        let simulation = SearchSimulation(scheduler: scheduler, workers: workers, trialBudget: 5,
                                          objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) })
        var study = try SearchFixtures.study(definition)
        let result = try simulation.run(study: &study)
        #expect(result.status == .finished)
        #expect(result.snapshot.trials.count == 5 && result.snapshot.trials.allSatisfy { $0.state == .complete })
        // One trial at a time, whatever the workers: the others sat idle while it waited.
        #expect(result.elapsedSeconds == 15)
        #expect(abs(result.idleFraction - (1 - 1 / Double(workers))) < 1e-9)
        let plain = RandomSampler(parameters: definition.parameters, seed: 0)
        #expect(result.snapshot.trials.map(\.parameters) == (0..<5).compactMap { plain.parameters(forTrial: $0) })
    }
}
