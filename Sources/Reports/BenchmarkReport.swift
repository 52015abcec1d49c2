import Foundation

/// The variant benchmark's report, `Reports/bench-NAME/`: `README.md` (mean ± std per
/// configuration, every run, what was run), `results.csv` (one row per run) and `summary.csv`
/// (one row per configuration). Rewritten after every run, so a stopped benchmark leaves a
/// partial report that says so.
public struct BenchmarkReport: Sendable {
    public var setup: BenchmarkSetup
    /// The finished runs, in the order they ran.
    public var runs: [BenchmarkRunRecord]

    public init(setup: BenchmarkSetup, runs: [BenchmarkRunRecord]) {
        self.setup = setup
        self.runs = runs
    }

    /// The report's folder name: `bench-NAME`.
    public var folderName: String { "bench-\(setup.plan.definition.name)" }

    /// The metrics of the main table: the search metric, then validation and test accuracy and
    /// F1, and ROC-AUC, where the runs have them.
    public var headlineMetrics: [String] {
        let preferred = [setup.plan.definition.metric.name, "val_accuracy", "val_f1_macro", "val_f1_weighted", "val_roc_auc",
                         "test_accuracy", "test_f1_macro", "test_f1_weighted", "test_roc_auc"]
        var names: [String] = []
        for name in preferred where !names.contains(name) && runs.contains(where: { $0.metrics[name] != nil }) {
            names.append(name)
        }
        return names
    }

    /// Every metric any run has: the headline ones first, the rest by name.
    public var metricNames: [String] {
        let headline = headlineMetrics
        let rest = Set(runs.flatMap(\.metrics.keys)).subtracting(headline).sorted()
        return headline + rest
    }

    /// One row per configuration that has runs, in the plan's order.
    public var summary: [BenchmarkSummaryRow] {
        let names = metricNames
        return setup.plan.configurations.compactMap { configuration in
            let records = runs.filter { $0.configuration == configuration.label }
            return records.isEmpty ? nil : BenchmarkSummaryRow(configuration: configuration.label, records: records, metricNames: names)
        }
    }

    /// Writes README.md, results.csv and summary.csv into `reportsDirectory/bench-NAME/`
    /// (each file atomically) and returns that folder.
    @discardableResult
    public func write(to reportsDirectory: URL) throws -> URL {
        let folder = reportsDirectory.appendingPathComponent(folderName)
        try ReportFiles.write(resultsTable.text, to: folder.appendingPathComponent("results.csv"))
        try ReportFiles.write(summaryTable.text, to: folder.appendingPathComponent("summary.csv"))
        try ReportFiles.write(markdown, to: folder.appendingPathComponent("README.md"))
        return folder
    }
}
