import FileFormats

extension BenchmarkReport {
    /// `README.md`: the comparison table, every metric, every run, and what was run.
    public var markdown: String {
        let definition = setup.plan.definition
        var text = "# Variant benchmark: \(definition.name)\n\n"
        text += "\(setup.plan.configurations.count) configurations × \(setup.seeds.count) seeds = \(setup.plannedRuns) runs, "
            + "each trained for \(definition.budget.maximumEpochs) epochs on the same data, one after another in one process. "
            + "Every cell is the mean ± sample standard deviation (n − 1 in the denominator) over the configuration's n seeds; "
            + "the metrics are those of each run's best epoch by `\(definition.metric.name)` (\(definition.metric.goal.rawValue)).\n"
        if runs.count < setup.plannedRuns {
            text += "\n**Partial report: \(runs.count) of \(setup.plannedRuns) runs have finished.**\n"
        }
        text += "\n## Results\n\n" + resultsMarkdown.text + "\n" + measurementNotes
        text += "\n## Metrics at the best epoch\n\n" + metricsMarkdown.text
        text += "\nEvery other metric (losses, precision, recall, learning rate) is in `results.csv` and `summary.csv`.\n"
        text += "\n## Runs\n\n" + runsMarkdown.text
        text += "\n## What was run\n\n" + setupNotes
        text += "\n### Configurations\n\n" + configurationsMarkdown.text
        text += "\nSettings not listed take the trainer's defaults. A searched parameter is held at one value: "
            + BenchmarkPlan.fixedValueRule + ".\n"
        text += "\n## Files\n\n"
            + "- `results.csv`: one row per run (configuration × seed), every value at full precision.\n"
            + "- `summary.csv`: one row per configuration: `n`, then the mean and sample standard deviation of every value.\n"
        return text
    }

    /// The main table's metrics: the search metric, and test (else validation) accuracy and macro F1.
    var resultMetrics: [String] {
        let hasTest = runs.contains { $0.metrics["test_accuracy"] != nil }
        let preferred = [setup.plan.definition.metric.name] + (hasTest ? ["test_accuracy", "test_f1_macro"] : ["val_accuracy", "val_f1_macro"])
        var names: [String] = []
        for name in preferred where !names.contains(name) && runs.contains(where: { $0.metrics[name] != nil }) {
            names.append(name)
        }
        return names
    }

    /// Quality, throughput, latency and size per configuration, mean ± std over seeds.
    public var resultsMarkdown: MarkdownTable {
        let rows = summary
        let names = resultMetrics
        var columns = [rows.map(\.configuration), rows.map { String($0.runs) }]
        columns += names.map { name in Self.column(rows.map { $0.metrics[name] ?? BenchmarkStatistic([]) }, of: rows, .metric) }
        columns.append(Self.column(rows.map(\.trainingSamplesPerSecond), of: rows, .throughput))
        columns.append(Self.column(rows.map(\.latencyP50Milliseconds), of: rows, .latency))
        columns.append(Self.column(rows.map(\.latencyP99Milliseconds), of: rows, .latency))
        columns.append(rows.map { Self.parameterText($0.parameterCount) })
        let header = ["configuration", "n"] + names + ["train samples/s", "latency p50 (ms)", "latency p99 (ms)", "parameters"]
        return Self.table(header: header, columns: columns)
    }

    /// How throughput, latency and parameters were measured.
    var measurementNotes: String {
        let batch = setup.latencyBatchSize
        return "- **train samples/s**: samples trained divided by the seconds spent training them (shuffling, forward, backward, "
            + "gradient clipping, Adam), over all epochs; per-epoch evaluation and checkpoint writing are not counted.\n"
            + "- **latency**: the time of one `forward` in evaluation mode on a batch of \(batch) validation samples (taken in order, "
            + "wrapping around), after one untimed warm-up batch. Each run times one pass over its validation split, at least "
            + "\(setup.minimumLatencyBatches) batches, and takes p50 and p99 by nearest rank (the value of rank ⌈p/100 · N⌉ of its "
            + "N batch times); the table shows their mean ± std over seeds.\n"
            + "- **parameters**: trainable parameters (BatchNorm running statistics are not counted).\n"
            + "- Every run used \(setup.threads) BLAS thread\(setup.threads == 1 ? "" : "s").\n"
    }

    /// The headline metrics per configuration.
    var metricsMarkdown: MarkdownTable {
        let rows = summary
        let names = headlineMetrics
        var columns = [rows.map(\.configuration), rows.map { String($0.runs) }, Self.column(rows.map(\.bestEpoch), of: rows, .epoch)]
        columns += names.map { name in Self.column(rows.map { $0.metrics[name] ?? BenchmarkStatistic([]) }, of: rows, .metric) }
        return Self.table(header: ["configuration", "n", "best epoch"] + names, columns: columns)
    }

    /// One row per run, in the order they ran; a metric has the decimals of its column in the
    /// results table, so runs and means read alike.
    var runsMarkdown: MarkdownTable {
        let rows = summary
        let names = resultMetrics
        var columns = [runs.map(\.configuration), runs.map { String($0.seed) }, runs.map { "\($0.bestEpoch) of \($0.epochsTrained)" }]
        for name in names {
            let decimals = BenchmarkStatistic.columnDecimals(rows.compactMap { $0.metrics[name] }, minimum: Precision.metric.minimum,
                                                             maximum: Precision.metric.maximum)
            columns.append(runs.map { run in run.metrics[name].map { BenchmarkStatistic.fixed($0, decimals: decimals) } ?? "–" })
        }
        columns.append(runs.map { BenchmarkStatistic.fixed($0.trainingSamplesPerSecond, decimals: 0) })
        columns.append(runs.map { BenchmarkStatistic.fixed($0.latencyP50Milliseconds, decimals: 2) })
        columns.append(runs.map { BenchmarkStatistic.fixed($0.latencyP99Milliseconds, decimals: 2) })
        columns.append(runs.map { BenchmarkStatistic.fixed($0.wallSeconds, decimals: 1) })
        let header = ["configuration", "seed", "best epoch"] + names
            + ["train samples/s", "latency p50 (ms)", "latency p99 (ms)", "wall (s)"]
        return Self.table(header: header, columns: columns)
    }

    /// The search file, command, date, machine, data, budget, seeds and run folders.
    var setupNotes: String {
        let plan = setup.plan
        let seeds = setup.seeds.map(String.init).joined(separator: ", ")
        return "- Search file: `\(plan.definition.source)` (`\(plan.definition.name)`)\n"
            + "- Command: `\(setup.command)`\n"
            + "- Date: \(setup.date)\n"
            + "- Machine: \(setup.machine); \(setup.threads) BLAS thread\(setup.threads == 1 ? "" : "s") per run\n"
            + "- Data: `\(plan.data.canonicalText)`\n"
            + "- Budget: \(plan.definition.budget.maximumEpochs) epochs per run (`budget.max_epochs`); the reported epoch is "
            + "each run's best by `\(plan.definition.metric.name)`\n"
            + "- Seeds: \(seeds). A run's seed drives its initialisation, shuffling and dropout; the stratified validation split "
            + "comes from the data's `split_seed` (default 0), so every run trains and validates on the same split.\n"
            + "- Order: seed by seed, every configuration within a seed, so a drift in machine load spreads over all of them.\n"
            + "- Run folders: `\(setup.workDirectory)` (checkpoints, `epochs.jsonl`, and `run.json`: "
            + "`tune train --config FOLDER/run.json` repeats a run).\n"
    }

    /// Each configuration's settings.
    var configurationsMarkdown: MarkdownTable {
        let rows = setup.plan.configurations.map { configuration in
            let keys = configuration.settings.keys.sorted { ($0 == "variant" ? 0 : 1, $0) < ($1 == "variant" ? 0 : 1, $1) }
            let settings = keys.map { "`\($0)` \(BenchmarkPlan.settingText(configuration.settings[$0] ?? .null))" }
            return [configuration.label, settings.joined(separator: ", ")]
        }
        return MarkdownTable(header: ["configuration", "settings"], rows: rows)
    }

    /// The decimals a kind of value gets: at least `minimum`, and up to `maximum` to show a
    /// spread to two significant digits.
    struct Precision {
        var minimum: Int
        var maximum: Int
        static let metric = Precision(minimum: 4, maximum: 12)
        static let throughput = Precision(minimum: 0, maximum: 0)
        static let latency = Precision(minimum: 2, maximum: 3)
        static let epoch = Precision(minimum: 1, maximum: 2)
    }

    /// One column of mean ± std cells with the column's decimals; a cell whose value is missing
    /// from some of its configuration's runs says its own n.
    static func column(_ statistics: [BenchmarkStatistic], of rows: [BenchmarkSummaryRow], _ precision: Precision) -> [String] {
        let decimals = BenchmarkStatistic.columnDecimals(statistics, minimum: precision.minimum, maximum: precision.maximum)
        return zip(statistics, rows).map { statistic, row in
            let text = statistic.text(decimals: decimals)
            return statistic.count == row.runs || statistic.count == 0 ? text : text + " (n=\(statistic.count))"
        }
    }

    /// A table from its columns; the first column is left-aligned, the others (numbers) right.
    static func table(header: [String], columns: [[String]]) -> MarkdownTable {
        let count = columns.first?.count ?? 0
        let rows = (0..<count).map { row in columns.map { row < $0.count ? $0[row] : "" } }
        return MarkdownTable(header: header, alignments: [.left] + Array(repeating: .right, count: max(header.count - 1, 0)), rows: rows)
    }

    /// The parameter count: one number when every seed has the same model (the usual case).
    static func parameterText(_ statistic: BenchmarkStatistic) -> String {
        statistic.standardDeviation == 0 || statistic.count == 1
            ? BenchmarkStatistic.fixed(statistic.mean, decimals: 0) : statistic.text(minimumDecimals: 0)
    }
}
