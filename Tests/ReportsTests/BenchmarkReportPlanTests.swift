import Foundation
import FileFormats
import Reports
import Search
import Testing

@Suite("Benchmark plan")
struct BenchmarkReportPlanTests {
    static func plan(_ text: String) throws -> BenchmarkPlan {
        try BenchmarkPlan(document: JSONValue.parse(Data(text.utf8), source: "bench.json"), source: "bench.json",
                          knownParameters: BenchmarkReportFixtures.knownParameters,
                          knownMetrics: BenchmarkReportFixtures.knownMetrics)
    }

    static func file(parameters: String, extra: String = "") -> String {
        """
        { "name": "b", "method": "random", "metric": { "name": "val_f1_macro", "goal": "maximize" },
          "budget": { "max_epochs": 2 }, "parameters": { \(parameters) }\(extra) }
        """
    }

    @Test func oneConfigurationPerListedVariantWithEveryOtherParameterFixed() throws {
        let plan = try Self.plan(Self.file(parameters: """
            "variant": { "values": ["bilstm", "attention"] },
            "lr": { "distribution": "log_uniform_values", "min": 0.0001, "max": 0.01 },
            "dropout": { "distribution": "uniform", "min": 0.1, "max": 0.5 },
            "lstm_hidden": { "values": [64, 128] },
            "batch_size": { "distribution": "int_uniform", "min": 32, "max": 35 },
            "scaler": { "value": "standard" }
            """))
        #expect(plan.configurations.map(\.label) == ["bilstm", "attention"])
        #expect(!plan.isListed)
        let settings = plan.configurations[1].settings
        #expect(settings["variant"] == .string("attention"))
        guard case .number(let lr) = settings["lr"], case .number(let dropout) = settings["dropout"] else {
            Issue.record("lr and dropout are not numbers: \(settings)")
            return
        }
        #expect(abs(lr - 0.001) < 1e-15)
        #expect(abs(dropout - 0.3) < 1e-15)
        #expect(settings["lstm_hidden"] == .number(64))
        #expect(settings["batch_size"] == .number(33))  // 32...35: the lower of the two middles
        #expect(settings["scaler"] == .string("standard"))
        #expect(plan.data == .object(["format": .string("synthetic")]))  // no data: the built-in traffic
    }

    @Test func allThreeVariantsWhenTheFileDoesNotNameThem() throws {
        let plan = try Self.plan(Self.file(parameters: "\"lr\": { \"value\": 0.002 }"))
        #expect(plan.configurations.map(\.label) == ["lstm", "bilstm", "attention"])
        #expect(plan.configurations.allSatisfy { $0.settings["lr"] == .number(0.002) })
    }

    @Test func listedConfigurationsLieOverTheFixedValues() throws {
        let plan = try Self.plan(Self.file(parameters: "\"variant\": { \"values\": [\"lstm\", \"bilstm\"] }, \"lr\": { \"value\": 0.002 }", extra: """
            , "configurations": [ { "name": "small", "lstm_hidden": 32 }, { "lstm_hidden": 256, "variant": "attention" }, {} ]
            """))
        #expect(plan.isListed)
        #expect(plan.configurations.map(\.label) == ["small", "variant=attention, lstm_hidden=256", "configuration 3"])
        #expect(plan.configurations[0].settings == ["variant": .string("lstm"), "lr": .number(0.002), "lstm_hidden": .number(32)])
        #expect(plan.configurations[1].settings["variant"] == .string("attention"))
        #expect(plan.definition.name == "b")
    }

    @Test(arguments: [
        (", \"configurations\": []", "configurations"),
        (", \"configurations\": [3]", "configurations[0]"),
        (", \"configurations\": [ { \"epochs\": 5 } ]", "configurations[0].epochs"),
        (", \"configurations\": [ { \"hidden\": 5 } ]", "configurations[0].hidden"),
        (", \"configurations\": [ { \"name\": \"a\" }, { \"name\": \"a\" } ]", "configurations[1]"),
        (", \"configurations\": [ { \"name\": 4 } ]", "configurations[0].name"),
        (", \"other\": 1", "other"),
    ])
    func badConfigurationsNameTheField(extra: String, field: String) throws {
        #expect {
            try Self.plan(Self.file(parameters: "\"lr\": { \"value\": 0.002 }", extra: extra))
        } throws: { error in
            (error as? JSONFileError)?.field == field
        }
    }

    @Test func unknownParametersAndMetricsAreRefused() {
        #expect(throws: JSONFileError.self) { try Self.plan(Self.file(parameters: "\"hidden\": { \"value\": 3 }")) }
        #expect(throws: JSONFileError.self) {
            try Self.plan(Self.file(parameters: "\"lr\": { \"value\": 0.002 }")
                .replacingOccurrences(of: "val_f1_macro", with: "val_magic"))
        }
        #expect(throws: JSONFileError.self) { try Self.plan(Self.file(parameters: "\"variant\": { \"values\": [1, 2] }")) }
    }

    @Test func fixedValuesFollowTheDocumentedRule() {
        #expect(BenchmarkPlan.fixedValue(of: .constant(.string("x"))) == .string("x"))
        #expect(BenchmarkPlan.fixedValue(of: .categorical([.number(3), .number(1)])) == .number(3))
        #expect(BenchmarkPlan.fixedValue(of: .uniform(minimum: 0, maximum: 1)) == .number(0.5))
        #expect(BenchmarkPlan.fixedValue(of: .logUniform(minimum: 1, maximum: 100)) == .number(10))
        #expect(BenchmarkPlan.fixedValue(of: .integerUniform(minimum: 1, maximum: 3)) == .number(2))
        #expect(BenchmarkPlan.fixedValue(of: .quantizedUniform(minimum: 0, maximum: 1, step: 0.25)) == .number(0.5))
    }
}
