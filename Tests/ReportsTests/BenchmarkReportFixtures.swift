import Foundation
import FileFormats
import Reports

/// A fixed benchmark (three variants, two seeds, one run lacking test ROC-AUC) for golden tests.
enum BenchmarkReportFixtures {
    static let knownParameters: Set<String> = ["variant", "lr", "dropout", "lstm_hidden", "batch_size", "scaler"]
    static let knownMetrics: Set<String> = ["val_f1_macro", "val_loss", "val_accuracy", "test_accuracy"]

    static let searchFile = """
        { "name": "golden", "method": "random",
          "metric": { "name": "val_f1_macro", "goal": "maximize" },
          "budget": { "max_epochs": 3 },
          "data": { "format": "synthetic", "flows": 600 },
          "parameters": {
            "variant": { "values": ["lstm", "bilstm", "attention"] },
            "lr": { "distribution": "log_uniform_values", "min": 0.0001, "max": 0.01 },
            "dropout": { "value": 0.25 } } }
        """

    static func plan() throws -> BenchmarkPlan {
        try BenchmarkPlan(document: JSONValue.parse(Data(searchFile.utf8), source: "Searches/golden.json"),
                          source: "Searches/golden.json", knownParameters: knownParameters, knownMetrics: knownMetrics)
    }

    static func setup() throws -> BenchmarkSetup {
        BenchmarkSetup(plan: try plan(), seeds: [0, 1], threads: 2, command: "tune bench --space Searches/golden.json --seeds 2",
                       date: "2025-01-02T03:04:05Z", machine: "Test CPU @ 1.00GHz, 2 cores",
                       workDirectory: "Searches/golden/bench", latencyBatchSize: 256, minimumLatencyBatches: 100)
    }

    static func record(_ configuration: String, seed: Int, f1: Double, testAccuracy: Double, testAUC: Double?,
                       samplesPerSecond: Double, p50: Double, p99: Double, parameters: Int) -> BenchmarkRunRecord {
        var metrics = ["val_f1_macro": f1, "val_accuracy": f1 + 0.001, "test_accuracy": testAccuracy,
                       "test_f1_macro": testAccuracy - 0.01, "val_loss": 0.125]
        if let testAUC { metrics["test_roc_auc"] = testAUC }
        return BenchmarkRunRecord(configuration: configuration, seed: seed, epochsTrained: 3, bestEpoch: seed == 0 ? 3 : 2,
                                  metrics: metrics, trainingSamplesPerSecond: samplesPerSecond, latencyP50Milliseconds: p50,
                                  latencyP99Milliseconds: p99, latencyBatchSize: 256, latencyBatches: 100,
                                  parameterCount: parameters, wallSeconds: 12.25 + Double(seed))
    }

    static let runs: [BenchmarkRunRecord] = [
        record("lstm", seed: 0, f1: 0.9912, testAccuracy: 0.80125, testAUC: 0.95, samplesPerSecond: 2000, p50: 20.5, p99: 22.25, parameters: 300_000),
        record("bilstm", seed: 0, f1: 0.99305, testAccuracy: 0.8123, testAUC: 0.96, samplesPerSecond: 1500, p50: 30, p99: 31, parameters: 500_000),
        record("attention", seed: 0, f1: 0.9950, testAccuracy: 0.83, testAUC: nil, samplesPerSecond: 900.5, p50: 45.125, p99: 50, parameters: 600_000),
        record("lstm", seed: 1, f1: 0.9914, testAccuracy: 0.79875, testAUC: 0.951, samplesPerSecond: 2100, p50: 21.5, p99: 24.75, parameters: 300_000),
        record("bilstm", seed: 1, f1: 0.99305, testAccuracy: 0.8077, testAUC: 0.962, samplesPerSecond: 1400, p50: 30, p99: 33, parameters: 500_000),
        record("attention", seed: 1, f1: 0.9850, testAccuracy: 0.85, testAUC: 0.97, samplesPerSecond: 899.5, p50: 44.875, p99: 52, parameters: 600_000),
    ]

    static func report() throws -> BenchmarkReport {
        BenchmarkReport(setup: try setup(), runs: runs)
    }
}
