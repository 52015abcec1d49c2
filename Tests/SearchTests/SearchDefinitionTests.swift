import Foundation
import FileFormats
import Testing
@testable import Search

@Suite("Search files")
struct SearchDefinitionTests {
    static let designExample = """
        { "name": "nsl-kdd", "method": "asha",
          "metric": { "name": "val_f1_macro", "goal": "maximize" },
          "budget": { "min_epochs": 1, "max_epochs": 27, "eta": 3 },
          "data": { "format": "nsl-kdd", "train": "train.txt", "test": "test.txt" },
          "parameters": {
            "variant":     { "values": ["lstm", "bilstm", "attention"] },
            "lr":          { "distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2 },
            "batch_size":  { "values": [32, 64, 128] },
            "lstm_hidden": { "values": [64, 128, 256] },
            "lstm_layers": { "distribution": "int_uniform", "min": 1, "max": 2 },
            "dropout":     { "distribution": "uniform", "min": 0.0, "max": 0.5 },
            "scaler":      { "value": "log-standard" },
            "weight_decay": { "distribution": "q_uniform", "min": 0, "max": 0.001, "q": 0.0001 },
            "conv_channels": { "distribution": "categorical", "values": [[64, 128], [128, 256]] } } }
        """

    @Test func readsTheDesignExample() throws {
        let definition = try SearchFixtures.definition(Self.designExample)
        #expect(definition.name == "nsl-kdd")
        #expect(definition.sampler == .random && definition.scheduler == .asha)
        #expect(definition.metric == SearchMetric(name: "val_f1_macro", goal: .maximize))
        #expect(definition.budget == EpochBudget(minimumEpochs: 1, maximumEpochs: 27, eta: 3))
        #expect(definition.budget.rungEpochs == [1, 3, 9, 27])
        #expect(definition.data?.member("format") == .string("nsl-kdd"))
        #expect(definition.parameters.map(\.name) == ["batch_size", "conv_channels", "dropout", "lr", "lstm_hidden",
                                                      "lstm_layers", "scaler", "variant", "weight_decay"])
        let byName = Dictionary(uniqueKeysWithValues: definition.parameters.map { ($0.name, $0.distribution) })
        #expect(byName["lr"] == .logUniform(minimum: 1e-4, maximum: 1e-2))
        #expect(byName["lstm_layers"] == .integerUniform(minimum: 1, maximum: 2))
        #expect(byName["scaler"] == .constant(.string("log-standard")))
        #expect(byName["weight_decay"] == .quantizedUniform(minimum: 0, maximum: 0.001, step: 0.0001))
        #expect(byName["conv_channels"] == .categorical([.array([.number(64), .number(128)]), .array([.number(128), .number(256)])]))
        try definition.validate(knownParameters: Set(definition.parameters.map(\.name)), knownMetrics: ["val_f1_macro"])
    }

    @Test func defaults() throws {
        let definition = try SearchFixtures.definition("""
            {"name": "q", "metric": {"name": "val_loss", "goal": "minimize"}, "budget": {"max_epochs": 9},
             "parameters": {"lr": {"values": [0.1, 0.01]}}}
            """)
        #expect(definition.sampler == .random && definition.scheduler == .asha)
        #expect(definition.budget == EpochBudget(minimumEpochs: 1, maximumEpochs: 9, eta: 3))
        #expect(definition.data == nil)
        let random = try SearchFixtures.definition("""
            {"name": "q", "method": "random", "metric": {"name": "val_loss", "goal": "minimize"}, "budget": {"max_epochs": 9},
             "parameters": {"lr": {"values": [0.1, 0.01]}}}
            """)
        #expect(random.budget.minimumEpochs == 9)
    }

    @Test func samplerAndSchedulerAreNamedApartOrByTheMethodShorthand() throws {
        func read(_ keys: String) throws -> SearchDefinition {
            try SearchFixtures.definition("""
                {"name": "q", \(keys) "metric": {"name": "val_loss", "goal": "minimize"}, "budget": {"max_epochs": 9},
                 "parameters": {"lr": {"values": [0.1, 0.01]}}}
                """)
        }
        let gridHalving = try read(#""sampler": "grid", "scheduler": "asha","#)
        #expect(gridHalving.sampler == .grid && gridHalving.scheduler == .asha)
        #expect(gridHalving.methodName == "grid + asha")
        #expect(gridHalving.budget.minimumEpochs == 1)
        let randomFull = try read(#""scheduler": "none","#)
        #expect(randomFull.sampler == .random && randomFull.methodName == "random")
        #expect(randomFull.budget.minimumEpochs == 9)  // no halving: every trial trains to max_epochs
        let tpe = try read(#""sampler": {"name": "tpe", "n_startup_trials": 4, "multivariate": false, "lag": 2}, "scheduler": "hyperband","#)
        #expect(tpe.sampler == .tpe && tpe.methodName == "tpe + hyperband")
        #expect(tpe.tpeOptions.startupTrials == 4 && !tpe.tpeOptions.multivariate && tpe.tpeOptions.lag == 2)
        #expect(tpe.tpeOptions.randomShare(scheduler: tpe.scheduler) == 1.0 / 3.0)
        let defaults = try read(#""sampler": "tpe", "scheduler": "none","#).tpeOptions
        // Optuna 5.0's TPESampler defaults.
        #expect(defaults.startupTrials == 10 && defaults.candidates == 24 && defaults.multivariate && !defaults.group)
        #expect(defaults.priorWeight == 1 && defaults.randomShare(scheduler: .none) == 0)
        for method in SearchMethod.allCases {
            let shorthand = try read("\"method\": \"\(method.rawValue)\",")
            let spelledOut = try read("\"sampler\": \"\(method.sampler.rawValue)\", \"scheduler\": \"\(method.scheduler.rawValue)\",")
            #expect(shorthand.sampler == spelledOut.sampler && shorthand.scheduler == spelledOut.scheduler)
            #expect(spelledOut.methodName == method.rawValue)
        }
    }

    @Test func rungsEndAtTheMaximum() {
        #expect(EpochBudget(minimumEpochs: 1, maximumEpochs: 20, eta: 3).rungEpochs == [1, 3, 9, 20])
        #expect(EpochBudget(minimumEpochs: 2, maximumEpochs: 32, eta: 2).rungEpochs == [2, 4, 8, 16, 32])
        #expect(EpochBudget(minimumEpochs: 5, maximumEpochs: 5, eta: 3).rungEpochs == [5])
    }

    @Test func fingerprintIgnoresFormattingButNotContent() throws {
        let original = try SearchFixtures.definition(Self.designExample)
        let reformatted = try SearchFixtures.definition(
            JSONValue.parse(Data(Self.designExample.utf8), source: "x").canonicalText)
        #expect(original.fingerprint == reformatted.fingerprint)
        #expect(original.fingerprint.count == 16)
        let changed = try SearchFixtures.definition(Self.designExample.replacingOccurrences(of: "1e-2", with: "2e-2"))
        #expect(changed.fingerprint != original.fingerprint)
        let reordered = try SearchFixtures.definition(Self.designExample.replacingOccurrences(
            of: #""name": "nsl-kdd", "method": "asha","#, with: #""method": "asha", "name": "nsl-kdd","#))
        #expect(reordered.fingerprint == original.fingerprint)
        let described = try SearchFixtures.definition(Self.designExample.replacingOccurrences(
            of: #""name": "nsl-kdd","#, with: #""name": "nsl-kdd", "description": "a note","#))
        #expect(described.fingerprint == original.fingerprint)
        #expect(described.description == "a note")
    }

    @Test func validateNamesTheUnknownParameterAndMetric() throws {
        let definition = try SearchFixtures.definition(Self.designExample)
        var known = Set(definition.parameters.map(\.name))
        known.remove("lstm_layers")
        #expect(throws: JSONFileError.self) { try definition.validate(knownParameters: known, knownMetrics: ["val_f1_macro"]) }
        do throws(JSONFileError) {
            try definition.validate(knownParameters: known, knownMetrics: ["val_f1_macro"])
        } catch {
            #expect(error.source == "test.json" && error.field == "parameters.lstm_layers")
        }
        do throws(JSONFileError) {
            try definition.validate(knownParameters: Set(definition.parameters.map(\.name)), knownMetrics: ["val_loss"])
            Issue.record("an unknown metric was accepted")
        } catch {
            #expect(error.field == "metric.name")
            #expect(error.message.contains("val_f1_macro") && error.message.contains("val_loss"))
        }
    }

    /// A valid file to break one field at a time.
    static let base: [String: String] = [
        "name": #""toy""#,
        "method": #""random""#,
        "metric": #"{"name": "val_loss", "goal": "minimize"}"#,
        "budget": #"{"min_epochs": 1, "max_epochs": 9, "eta": 3}"#,
        "parameters": #"{"lr": {"distribution": "uniform", "min": 0.001, "max": 0.1}}"#,
    ]

    static func file(replacing key: String, with value: String?) -> String {
        var members = base
        members[key] = value
        return "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// The base file with `"sampler": SAMPLER` instead of its method.
    static func file(sampler: String) -> String {
        file(replacing: "method", with: nil).replacingOccurrences(of: #""budget":"#, with: "\"sampler\": \(sampler), \"budget\":")
    }

    static func file(parameter: String) -> String {
        file(replacing: "parameters", with: "{\"lr\": \(parameter)}")
    }

    /// (search file, the field the error must name, words the message must contain)
    static let malformed: [(String, String?, String)] = [
        (file(replacing: "name", with: nil), "name", "missing"),
        (file(replacing: "name", with: #""../escape""#), "name", "letters"),
        (file(replacing: "name", with: "7"), "name", "must be a string"),
        (file(replacing: "method", with: #""bayes""#), "method", "grid, random, sha, asha, hyperband"),
        (file(replacing: "sampler", with: #""random""#), "method", "either method, or sampler and scheduler"),
        (file(replacing: "scheduler", with: #""asha""#), "method", "either method, or sampler and scheduler"),
        (file(replacing: "method", with: nil).replacingOccurrences(of: #""budget":"#, with: #""sampler": "bayes", "budget":"#),
         "sampler", "random, grid"),
        (file(replacing: "method", with: nil).replacingOccurrences(of: #""budget":"#, with: #""scheduler": "median", "budget":"#),
         "scheduler", "none, sha, asha, hyperband"),
        (file(sampler: #"{"name": "tpe", "n_startup_trial": 5}"#), "sampler.n_startup_trial", "not a known setting"),
        (file(sampler: #"{"name": "tpe", "n_startup_trials": 0}"#), "sampler.n_startup_trials", "at least 1"),
        (file(sampler: #"{"name": "tpe", "n_ei_candidates": 0}"#), "sampler.n_ei_candidates", "at least 1"),
        (file(sampler: #"{"name": "tpe", "multivariate": false, "group": true}"#), "sampler.group", "multivariate"),
        (file(sampler: #"{"name": "tpe", "lag": -1}"#), "sampler.lag", "0 to 1000"),
        (file(sampler: #"{"name": "tpe", "random_fraction": 1}"#), "sampler.random_fraction", "below 1"),
        (file(sampler: #"{"name": "tpe", "prior_weight": 0}"#), "sampler.prior_weight", "positive"),
        (file(sampler: #"{"name": "tpe", "multivariate": "yes"}"#), "sampler.multivariate", "true or false"),
        (file(sampler: #"{"name": "random", "n_startup_trials": 5}"#), "sampler.n_startup_trials", "not a known setting"),
        (file(sampler: #"{"n_startup_trials": 5}"#), "sampler.name", "missing"),
        (file(sampler: #"{"name": "bayes"}"#), "sampler.name", "random, grid, tpe"),
        (file(sampler: "7"), "sampler", "sampler's name"),
        (file(replacing: "metric", with: nil), "metric", "missing"),
        (file(replacing: "metric", with: #"{"name": "val_loss"}"#), "metric.goal", "maximize"),
        (file(replacing: "metric", with: #"{"name": "val_loss", "goal": "lower"}"#), "metric.goal", "\"lower\""),
        (file(replacing: "metric", with: #"{"name": "val_loss", "goal": "minimize", "target": 0.1}"#), "metric.target", "not a known setting"),
        (file(replacing: "budget", with: nil), "budget", "missing"),
        (file(replacing: "budget", with: #"{"min_epochs": 10, "max_epochs": 9}"#), "budget.min_epochs", "more than max_epochs"),
        (file(replacing: "budget", with: #"{"max_epochs": 9, "eta": 1}"#), "budget.eta", "at least 2"),
        (file(replacing: "budget", with: #"{"max_epochs": 9, "eta": 2.5}"#), "budget.eta", "whole number"),
        (file(replacing: "budget", with: #"{"min_epochs": 0, "max_epochs": 9}"#), "budget.min_epochs", "at least 1"),
        (file(replacing: "budget", with: #"{"max_epochs": "9"}"#), "budget.max_epochs", "must be a number"),
        (file(replacing: "budget", with: #"{"max_epochs": 9, "grace": 1}"#), "budget.grace", "not a known setting"),
        (file(replacing: "data", with: #""data/x.csv""#), "data", "JSON object"),
        (file(replacing: "paramters", with: "{}"), "paramters", "not a known setting"),
        (file(replacing: "parameters", with: nil), "parameters", "missing"),
        (file(replacing: "parameters", with: "{}"), "parameters", "empty"),
        (file(replacing: "parameters", with: "[]"), "parameters", "JSON object"),
        (file(replacing: "parameters", with: #"{"epochs": {"value": 3}}"#), "parameters.epochs", "budget"),
        (file(parameter: "0.01"), "parameters.lr", "JSON object"),
        (file(parameter: "{}"), "parameters.lr", "needs \"values\""),
        (file(parameter: #"{"values": []}"#), "parameters.lr.values", "empty"),
        (file(parameter: #"{"values": 0.1}"#), "parameters.lr.values", "must be a list"),
        (file(parameter: #"{"values": [0.1, 0.1]}"#), "parameters.lr.values", "twice"),
        (file(parameter: #"{"distribution": "uniform", "min": 0.1, "max": 0.01}"#), "parameters.lr.min", "not less than max"),
        (file(parameter: #"{"distribution": "uniform", "min": 0.1, "max": 0.1}"#), "parameters.lr.min", "not less than max"),
        (file(parameter: #"{"distribution": "uniform", "min": 0.1}"#), "parameters.lr.max", "missing"),
        (file(parameter: #"{"distribution": "uniform", "min": "a", "max": 1}"#), "parameters.lr.min", "must be a number"),
        (file(parameter: #"{"distribution": "log_uniform_values", "min": 0, "max": 0.1}"#), "parameters.lr.min", "above 0"),
        (file(parameter: #"{"distribution": "log_uniform", "min": -9, "max": -2}"#), "parameters.lr.distribution", "log_uniform_values"),
        (file(parameter: #"{"distribution": "normal", "mu": 0, "sigma": 1}"#), "parameters.lr.distribution", "\"normal\""),
        (file(parameter: #"{"distribution": "int_uniform", "min": 1.5, "max": 4}"#), "parameters.lr.min", "whole number"),
        (file(parameter: #"{"distribution": "q_uniform", "min": 0, "max": 1, "q": 0}"#), "parameters.lr.q", "above 0"),
        (file(parameter: #"{"distribution": "q_uniform", "min": 0.1, "max": 0.2, "q": 0.5}"#), "parameters.lr.q", "no multiple"),
        (file(parameter: #"{"distribution": "uniform", "min": 0, "max": 1, "values": [1]}"#), "parameters.lr.values", "not a known setting"),
        (file(parameter: #"{"distribution": "categorical"}"#), "parameters.lr.values", "missing"),
        (file(parameter: #"{"value": 1, "q": 2}"#), "parameters.lr.q", "not a known setting"),
        (file(parameter: #"{"min": 0, "max": 1}"#), "parameters.lr", "distribution"),
        (file(replacing: "method", with: #""grid""#), "parameters.lr", "continuous"),
        (file(replacing: "surprise", with: "1"), "surprise", "not a known setting"),
    ]

    @Test(arguments: malformed.indices)
    func malformedFilesNameTheFileAndField(index: Int) {
        let (text, field, words) = Self.malformed[index]
        do throws(JSONFileError) {
            let definition = try SearchFixtures.definition(text, source: "Searches/broken.json")
            Issue.record("accepted: \(definition.name) from \(text)")
        } catch {
            #expect(error.source == "Searches/broken.json", "\(error)")
            #expect(error.field == field, "\(error)")
            #expect(error.message.contains(words), "\(error)")
        }
    }

    @Test func syntaxErrorsNameTheLine() {
        do {
            _ = try SearchFixtures.definition("{\n \"name\": \"x\",\n \"method\": }", source: "Searches/bad.json")
            Issue.record("accepted a syntax error")
        } catch {
            #expect(error.description.contains("Searches/bad.json line 3"))
        }
    }

    @Test func gridLimitAndDiscreteDistributions() throws {
        let grid = try SearchFixtures.definition("""
            {"name": "g", "method": "grid", "metric": {"name": "m", "goal": "maximize"}, "budget": {"max_epochs": 2},
             "parameters": {"a": {"distribution": "int_uniform", "min": 1, "max": 3},
                            "b": {"distribution": "q_uniform", "min": 0, "max": 0.5, "q": 0.25},
                            "c": {"value": "fixed"}}}
            """)
        #expect(grid.configurationCount == 9)
        #expect(throws: JSONFileError.self) {
            _ = try SearchFixtures.definition("""
                {"name": "g", "method": "grid", "metric": {"name": "m", "goal": "maximize"}, "budget": {"max_epochs": 2},
                 "parameters": {"a": {"distribution": "int_uniform", "min": 1, "max": 1000},
                                "b": {"distribution": "int_uniform", "min": 1, "max": 1000}}}
                """)
        }
    }
}
