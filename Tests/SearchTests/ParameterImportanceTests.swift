import Foundation
import Testing
@testable import Search

/// PED-ANOVA over a study: the parameter that drives the toy objective ranks first, the rung is
/// the highest with enough results, and `tune status` shows it.
@Suite("Parameter importance")
struct ParameterImportanceTests {
    @Test func theParameterThatMattersMostRanksFirst() throws {
        // In `SearchFixtures.learningCurve` the learning rate moves the final accuracy by up to
        // 0.04 * 1.5^2 = 0.09, the width by 0.02, dropout by 0.01, the variant by 0.005.
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random", maxEpochs: 3))
        let result = try TPESamplerTests.simulate(definition, workers: 2, trials: 80)
        let importance = try #require(ParameterImportance.evaluate(snapshot: result.snapshot, definition: definition))
        #expect(importance.epochs == 3 && importance.trialCount == 80)
        #expect(importance.entries.first?.parameter == "lr")
        #expect(Set(importance.entries.map(\.parameter)) == ["lr", "dropout", "lstm_hidden", "variant"])
        #expect(abs(importance.entries.map(\.importance).reduce(0, +) - 1) < 1e-12)
        #expect(importance.entries.allSatisfy { $0.importance >= 0 })
    }

    @Test func underHalvingTheHighestRungWithTenResultsIsUsed() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha", maxEpochs: 27))
        let result = try TPESamplerTests.simulate(definition, workers: 2, trials: 40)
        // 40 trials: 13 reach 3 epochs, 4 reach 9: the 3-epoch rung is the highest with 10.
        let importance = try #require(ParameterImportance.evaluate(snapshot: result.snapshot, definition: definition))
        #expect(importance.epochs == 3 && importance.trialCount == 13)
        let few = try TPESamplerTests.simulate(definition, workers: 2, trials: 9)
        #expect(ParameterImportance.evaluate(snapshot: few.snapshot, definition: definition) == nil)
    }

    @Test func statusNamesTheSamplerTheSchedulerAndTheImportance() throws {
        let definition = try SearchFixtures.definition(TPESamplerTests.space(scheduler: "asha", maxEpochs: 9))
        var study = try SearchFixtures.study(definition)
        let scheduler = SearchScheduler(definition: definition, seed: 0)
        let simulation = SearchSimulation(scheduler: scheduler, workers: 2, trialBudget: 30,
                                          objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) })
        _ = try simulation.run(study: &study)
        let text = StudySummary(study: study, scheduler: scheduler, trialBudget: 30).text
        #expect(text.contains("tpe + asha, seed 0, 30 of 30 trials created, deterministic"))
        #expect(text.contains("sampler: tpe, TPE as Optuna's TPESampler (multivariate, 10 random start-up trials"))
        #expect(text.contains("trial t's model sees the results of trials below t - 3"))
        #expect(text.contains("scheduler: asha, asynchronous successive halving"))
        let importance = try #require(ParameterImportance.evaluate(snapshot: study.snapshot, definition: definition))
        let shares = importance.entries.map { "\($0.parameter) \(String(format: "%.2f", $0.importance))" }.joined(separator: ", ")
        #expect(text.contains("parameter importance (PED-ANOVA over \(importance.trialCount) trials at \(importance.epochs) epochs): \(shares)"))
    }
}
