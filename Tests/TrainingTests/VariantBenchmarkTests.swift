import Foundation
import FileFormats
import NN
import Testing
@testable import Training

/// The variant benchmark: latency percentiles, best-epoch choice, up-front checks, and a small
/// real run of all three variants on two seeds of synthetic traffic.
@Suite("Variant benchmark")
struct VariantBenchmarkTests {
    /// A tiny model so six debug-build trainings stay quick; every key is a run-file key.
    static let tinySettings: [String: JSONValue] = [
        "conv_channels": .array([.number(8), .number(16)]), "lstm_hidden": .number(8), "heads": .number(2),
        "head_dim": .number(4), "batch_size": .number(32), "lr": .number(0.003),
    ]

    static func benchmark(in folder: URL, seeds: [UInt64] = [0, 1], settings: [String: JSONValue] = tinySettings) -> VariantBenchmark {
        let configurations = ModelConfiguration.Variant.allCases.map { variant in
            var values = settings
            values["variant"] = .string(variant.rawValue)
            return BenchmarkConfiguration(label: variant.rawValue, settings: values)
        }
        var benchmark = VariantBenchmark(
            configurations: configurations, data: .object(["format": .string("synthetic"), "flows": .number(600)]),
            seeds: seeds, epochs: 1, metric: "val_f1_macro", maximize: true, threads: 1, workDirectory: folder,
            source: "bench.json")
        benchmark.latencyBatchSize = 64
        benchmark.minimumLatencyBatches = 5
        return benchmark
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tune-variant-bench-\(UUID().uuidString)")
    }

    @Test func percentilesAreNearestRank() {
        let hundred = (1...100).map(Double.init).shuffled()
        #expect(VariantBenchmarkLatency.percentile(50, of: hundred) == 50)
        #expect(VariantBenchmarkLatency.percentile(99, of: hundred) == 99)
        #expect(VariantBenchmarkLatency.percentile(100, of: hundred) == 100)
        // Three values: rank ceil(1.5) = 2 for p50, ceil(2.97) = 3 for p99.
        #expect(VariantBenchmarkLatency.percentile(50, of: [5, 1, 3]) == 3)
        #expect(VariantBenchmarkLatency.percentile(99, of: [5, 1, 3]) == 5)
        #expect(VariantBenchmarkLatency.percentile(0, of: [5, 1, 3]) == 1)
        #expect(VariantBenchmarkLatency.percentile(50, of: [7]) == 7)
        #expect(VariantBenchmarkLatency.percentile(50, of: []).isNaN)
        let latency = VariantBenchmarkLatency(batchSize: 4, batchSeconds: [0.4, 0.1, 0.2, 0.3])
        #expect(latency.p50 == 0.2 && latency.p99 == 0.4)
    }

    @Test func bestEpochFollowsTheGoalAndKeepsTheFirstOfEquals() {
        func epoch(_ number: Int, f1: Double, loss: Double) -> EpochMetrics {
            let metrics = ClassificationMetrics(probabilities: [0.9, 0.1, 0.2, 0.8], labels: [0, 1], classCount: 2)
            var result = EpochMetrics(epoch: number, trainLoss: 1, validationLoss: loss, validation: metrics, testLoss: nil,
                                      test: nil, learningRate: 0.001, seconds: 1)
            result.validation.f1Macro = f1
            return result
        }
        let epochs = [epoch(1, f1: 0.5, loss: 0.9), epoch(2, f1: 0.8, loss: 0.4), epoch(3, f1: 0.8, loss: 0.6)]
        #expect(VariantBenchmark.bestEpoch(epochs, metric: "val_f1_macro", maximize: true)?.epoch == 2)
        #expect(VariantBenchmark.bestEpoch(epochs, metric: "val_loss", maximize: false)?.epoch == 2)
        #expect(VariantBenchmark.bestEpoch(epochs, metric: "val_f1_macro", maximize: false)?.epoch == 1)
        #expect(VariantBenchmark.bestEpoch(epochs, metric: "test_accuracy", maximize: true)?.epoch == 3)  // absent: the last
        #expect(VariantBenchmark.bestEpoch([], metric: "val_f1_macro", maximize: true) == nil)
    }

    @Test func runFilesCarryTheSharedBudgetAndFoldersAreSafe() {
        let folder = URL(fileURLWithPath: "/tmp/work")
        var benchmark = Self.benchmark(in: folder)
        benchmark.configurations[1].label = "variant=bilstm, lstm_hidden=64"
        let file = benchmark.runFile(configuration: 1, seed: 7)
        #expect(file["epochs"] == .number(1) && file["seed"] == .number(7) && file["threads"] == .number(1))
        #expect(file["metric"] == .string("val_f1_macro") && file["variant"] == .string("bilstm"))
        #expect(file["data"] == benchmark.data)
        #expect(benchmark.runDirectory(configuration: 1, seed: 7).path == "/tmp/work/02-variant_bilstm__lstm_hidden_64/seed-7")
        #expect(file["output"] == .string("/tmp/work/02-variant_bilstm__lstm_hidden_64/seed-7"))
    }

    @Test func badSettingsAreRefusedBeforeTrainingNamingTheConfiguration() throws {
        var settings = Self.tinySettings
        settings["dropout"] = .number(1.5)
        let benchmark = Self.benchmark(in: Self.temporaryFolder(), settings: settings)
        do {
            try benchmark.validate()
            Issue.record("a dropout of 1.5 was accepted")
        } catch let error as JSONFileError {
            #expect(error.source == "bench.json" && error.field == "dropout")
            #expect(error.message.contains("configuration 'lstm'"))
        }
        #expect(!FileManager.default.fileExists(atPath: benchmark.workDirectory.path))
        var noSeeds = Self.benchmark(in: Self.temporaryFolder())
        noSeeds.seeds = []
        #expect(throws: TrainingError.self) { try noSeeds.validate() }
    }

    @Test func threeVariantsOnTwoSeedsOfSyntheticTraffic() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let benchmark = Self.benchmark(in: folder)
        var progress: [Int] = []
        let runs = try benchmark.run { _, finished in progress.append(finished.count) }

        #expect(progress == [1, 2, 3, 4, 5, 6])
        #expect(runs.count == 6)
        #expect(runs.map(\.configuration) == ["lstm", "bilstm", "attention", "lstm", "bilstm", "attention"])
        #expect(runs.map(\.seed) == [0, 0, 0, 1, 1, 1])
        for run in runs {
            #expect(run.epochsTrained == 1 && run.bestEpoch == 1)
            #expect(run.trainingSamples > 0 && run.trainingSeconds > 0 && run.trainingSamplesPerSecond > 0)
            #expect(run.latency.batchSize == 64 && run.latency.batchSeconds.count >= 5)
            #expect(run.latency.p50 > 0 && run.latency.p50 <= run.latency.p99)
            #expect(run.wallSeconds >= run.trainingSeconds)
            for name in ["val_accuracy", "val_f1_macro", "val_f1_weighted", "test_accuracy", "test_f1_macro"] {
                #expect(run.metrics[name].map { $0 >= 0 && $0 <= 1 } == true, "\(name) of \(run.configuration)")
            }
            var configuration = try #require(ModelConfiguration.Variant(rawValue: run.configuration)).tinyModel
            configuration.inputChannels = 1
            configuration.classCount = try Self.classCount(run.output)
            #expect(run.parameterCount == (try CNNLSTM(configuration: configuration)).parameters.parameterCount)
            #expect(FileManager.default.fileExists(atPath: run.output.appendingPathComponent("best.safetensors").path))
            #expect(FileManager.default.fileExists(atPath: run.output.appendingPathComponent("run.json").path))
        }
        // Same seed, same split: every variant saw the same number of training samples.
        #expect(Set(runs.filter { $0.seed == 0 }.map(\.trainingSamples)).count == 1)
        // The three variants differ in size.
        #expect(Set(runs.map(\.parameterCount)).count == 3)
    }

    /// The class count a run's checkpoint was trained with.
    static func classCount(_ output: URL) throws -> Int {
        let metadata = try Safetensors.read(path: output.appendingPathComponent("best.safetensors").path).metadata
        let names = try JSONDecoder().decode([String].self, from: Data((metadata["class_names"] ?? "[]").utf8))
        return names.count
    }
}

extension ModelConfiguration.Variant {
    /// The model of `VariantBenchmarkTests.tinySettings` for this variant (input and classes to fill in).
    var tinyModel: ModelConfiguration {
        var configuration = ModelConfiguration(inputChannels: 1, classCount: 2, variant: self)
        configuration.convChannels = [8, 16]
        configuration.lstmHidden = 8
        configuration.heads = 2
        configuration.headDim = 4
        return configuration
    }
}
