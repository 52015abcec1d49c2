import Foundation
import Testing
@testable import Search

/// The tabular benchmark's parts: reading the curve table, the nearest-row rule Optuna's side
/// uses too, and the traces (epochs spent, best so far) a simulated search leaves.
@Suite("Sampler benchmark on a curve table")
struct SamplerBenchmarkTests {
    static let space = """
        { "name": "curves", "sampler": "random", "scheduler": "none",
          "metric": { "name": "val_f1_macro", "goal": "maximize" }, "budget": { "max_epochs": 3 },
          "parameters": {
            "variant":     { "values": ["lstm", "attention"] },
            "lr":          { "distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2 },
            "batch_size":  { "values": [32, 64] },
            "lstm_layers": { "distribution": "int_uniform", "min": 1, "max": 2 },
            "dropout":     { "distribution": "uniform", "min": 0.0, "max": 0.5 } } }
        """

    static let rows = """
        trial,variant,lr,batch_size,lstm_layers,dropout,seconds_per_epoch,e1,e2,e3
        0,lstm,0.001,32,1,0.1,2.5,0.5,0.6,0.7
        3,attention,0.0001,64,2,0.4,4,0.8,0.85,0.9
        5,lstm,0.001,32,1,0.1,1,0.1,0.2,0.3

        """

    static func table(_ text: String = rows) throws -> (SearchDefinition, LearningCurveTable) {
        let definition = try SearchFixtures.definition(space)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (definition, try LearningCurveTable.read(path: path, parameters: definition.parameters))
    }

    @Test func theNearestRowCountsMismatchesAndShares() throws {
        let (_, table) = try Self.table()
        #expect(table.rows.count == 3 && table.rows[1].curve == [0.8, 0.85, 0.9] && table.rows[1].secondsPerEpoch == 4)
        #expect(table.rows[1].parameters["variant"] == .string("attention") && table.rows[1].parameters["batch_size"] == .number(64))
        // Rows 0 and 2 are the same configuration: the earlier one wins.
        let exact: TrialParameters = ["variant": .string("lstm"), "lr": .number(0.001), "batch_size": .number(32), "lstm_layers": .number(1), "dropout": .number(0.1)]
        #expect(table.nearestRow(to: exact) == 0)
        // One categorical mismatch (1) weighs more than a whole decade of lr (0.5) plus 0.2 of dropout's range.
        var near = exact
        near["lr"] = .number(0.0001)
        near["dropout"] = .number(0.2)
        #expect(table.nearestRow(to: near) == 0)
        near["variant"] = .string("attention")
        near["batch_size"] = .number(64)
        near["lstm_layers"] = .number(2)
        #expect(table.nearestRow(to: near) == 1)
    }

    @Test func aBrokenTableNamesTheLineAndColumn() throws {
        #expect(throws: LearningCurveTable.ReadError.self) { try Self.table("trial,variant,lr\n0,lstm,0.1\n") }
        do {
            _ = try Self.table(Self.rows.replacingOccurrences(of: "0.85", with: "high"))
            Issue.record("read a table with a word for a number")
        } catch {
            #expect("\(error)".contains("line 3") && "\(error)".contains("not a number"))
        }
        do {
            _ = try Self.table(Self.rows.replacingOccurrences(of: "attention", with: "gru"))
            Issue.record("read a table with an unknown variant")
        } catch {
            #expect("\(error)".contains("line 3") && "\(error)".contains("variant \"gru\""))
        }
    }

    @Test func tracesCountEveryEpochAndOnlyImprove() throws {
        let (definition, table) = try Self.table()
        let benchmark = SamplerBenchmark(base: definition, table: table)
        for method in SamplerBenchmark.Method.all {
            let trace = try benchmark.trace(method, seed: 1, trials: 12, epochBudget: 30)
            #expect(!trace.isEmpty, "\(method.name)")
            // Points where the best improved (strictly), then the end.
            let improving = trace.dropLast()
            #expect(zip(improving, improving.dropFirst()).allSatisfy { $0.epochsSpent < $1.epochsSpent && $0.bestValue < $1.bestValue }, "\(method.name)")
            #expect(trace.last?.bestValue == trace.map(\.bestValue).max())
            #expect(trace.allSatisfy { [0.7, 0.9, 0.5, 0.6, 0.8, 0.85, 0.3, 0.2, 0.1].contains($0.bestValue) })
            if !method.scheduler.halves {
                #expect(trace.last?.epochsSpent == 30, "\(method.name): 10 of 12 trials fit in 30 epochs")
            }
        }
        let tpe = try benchmark.definition(SamplerBenchmark.Method.all[3], lag: 2)
        #expect(tpe.sampler == .tpe && tpe.scheduler == .asha && tpe.tpeOptions.lag == 2 && tpe.budget.minimumEpochs == 1)
        // --min-epochs moves the halving methods' first rung, and only theirs.
        let later = SamplerBenchmark(base: definition, table: table, minimumEpochs: 3)
        #expect(try later.definition(SamplerBenchmark.Method.all[3]).budget.minimumEpochs == 3)
        let laterTrace = try later.trace(SamplerBenchmark.Method.all[3], seed: 1, trials: 12, epochBudget: 30)
        #expect(laterTrace != (try benchmark.trace(SamplerBenchmark.Method.all[3], seed: 1, trials: 12, epochBudget: 30)))
    }
}
