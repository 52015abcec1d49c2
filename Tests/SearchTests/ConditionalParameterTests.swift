import Foundation
import FileFormats
import Testing
@testable import Search

/// Parameters that only some trials have (`"when": {"variant": ["attention"]}`): read and
/// checked, drawn only where they apply, and modelled by TPE's `group` as Optuna does.
@Suite("Conditional parameters")
struct ConditionalParameterTests {
    /// The toy space plus `heads`, which only attention trials have.
    static func space(sampler: String, scheduler: String = "none", heads: String = #"{ "values": [1, 2, 4], "when": { "variant": ["attention"] } }"#) -> String {
        TPESamplerTests.space(sampler: sampler, scheduler: scheduler, maxEpochs: 3)
            .replacingOccurrences(of: "\"parameters\": {", with: "\"parameters\": { \"heads\": \(heads),")
    }

    static func attention(_ parameters: TrialParameters) -> Bool { parameters["variant"] == .string("attention") }

    @Test func theConditionIsReadAndChecked() throws {
        let definition = try SearchFixtures.definition(Self.space(sampler: "\"random\""))
        let heads = try #require(definition.parameters.first { $0.name == "heads" })
        #expect(heads.condition == ParameterCondition(parameter: "variant", values: [.string("attention")]))
        #expect(heads.distribution == .categorical([.number(1), .number(2), .number(4)]))
        let broken: [(String, String, String)] = [
            (#"{ "values": [1, 2], "when": { "activation": ["relu"] } }"#, "parameters.heads.when.activation", "no other parameter"),
            (#"{ "values": [1, 2], "when": { "lr": [0.1] } }"#, "parameters.heads.when.lr", "listed values"),
            (#"{ "values": [1, 2], "when": { "variant": ["gru"] } }"#, "parameters.heads.when.variant", "not one of variant's values"),
            (#"{ "values": [1, 2], "when": { "variant": [] } }"#, "parameters.heads.when.variant", "empty"),
            (#"{ "values": [1, 2], "when": ["variant"] }"#, "parameters.heads.when", "one other parameter"),
            (#"{ "values": [1, 2], "when": { "heads": [1] } }"#, "parameters.heads.when.heads", "no other parameter"),
            (#"{ "values": [1, 2], "when": { "variant": ["attention"] }, "then": 1 }"#, "parameters.heads.then", "not a known setting"),
        ]
        for (entry, field, words) in broken {
            do throws(JSONFileError) {
                _ = try SearchFixtures.definition(Self.space(sampler: "\"random\"", heads: entry))
                Issue.record("accepted \(entry)")
            } catch {
                #expect(error.field == field && error.message.contains(words), "\(entry): \(error)")
            }
        }
        do throws(JSONFileError) {
            _ = try SearchFixtures.definition(Self.space(sampler: "\"grid\"").replacingOccurrences(
                of: #""lr":          { "distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1 },"#, with: "")
                .replacingOccurrences(of: #""dropout":     { "distribution": "uniform", "min": 0.0, "max": 0.5 },"#, with: ""))
            Issue.record("a grid took a conditional parameter")
        } catch {
            #expect(error.field == "parameters.heads.when" && error.message.contains("grid"))
        }
    }

    @Test func randomSamplingDrawsItOnlyWhereItAppliesAndLeavesTheOthersAlone() throws {
        let conditional = try SearchFixtures.definition(Self.space(sampler: "\"random\""))
        let plain = try SearchFixtures.definition(Self.space(sampler: "\"random\"", heads: #"{ "values": [1, 2, 4] }"#))
        let withCondition = RandomSampler(parameters: conditional.parameters, seed: 3)
        let without = RandomSampler(parameters: plain.parameters, seed: 3)
        var attentionTrials = 0
        for trial in 0..<60 {
            let chosen = try #require(withCondition.parameters(forTrial: trial))
            var expected = try #require(without.parameters(forTrial: trial))
            if !Self.attention(expected) { expected["heads"] = nil } else { attentionTrials += 1 }
            #expect(chosen == expected)
        }
        #expect(attentionTrials > 5 && attentionTrials < 55)
    }

    @Test(arguments: [false, true])
    func tpeKeepsTheConditionAndTheSameTrialsAtAnyParallelism(group: Bool) throws {
        let sampler = "{\"name\": \"tpe\", \"n_startup_trials\": 6, \"multivariate\": true, \"group\": \(group)}"
        let definition = try SearchFixtures.definition(Self.space(sampler: sampler).replacingOccurrences(
            of: "\"heads\":", with: #""head_dim": { "values": [16, 32], "when": { "variant": ["attention"] } }, "heads":"#))
        let objective: InMemoryTrialLauncher.Objective = { parameters, trial, epoch in
            let heads = SearchFixtures.number(parameters, "heads")
            return SearchFixtures.learningCurve(parameters, trialNumber: trial, epoch: epoch) + (heads == 2 ? 0.01 : 0)
        }
        let results = try [1, 3].map { try TPESamplerTests.simulate(definition, workers: $0, trials: 30, objective: objective) }
        #expect(SearchFixtures.outcome(results[0].snapshot) == SearchFixtures.outcome(results[1].snapshot))
        for trial in results[0].snapshot.trials {
            #expect((trial.parameters["heads"] != nil) == Self.attention(trial.parameters), "trial \(trial.number)")
            #expect((trial.parameters["head_dim"] != nil) == Self.attention(trial.parameters), "trial \(trial.number)")
        }
        let groups = TPESampler.groups(TPESampler(definition: definition, seed: 0).dimensions, options: definition.tpeOptions)
        // With group, the two attention-only parameters are one joint group; without, each is
        // sampled alone (Optuna's intersection search space holds only what every trial has).
        let unconditional = ["dropout", "lr", "lstm_hidden", "variant"]
        #expect(groups.map { $0.map(\.name) } == (group ? [unconditional, ["head_dim", "heads"]] : [unconditional, ["head_dim"], ["heads"]]))
        let importance = try #require(ParameterImportance.evaluate(snapshot: results[0].snapshot, definition: definition))
        #expect(importance.entries.contains { $0.parameter == "heads" })
    }
}
