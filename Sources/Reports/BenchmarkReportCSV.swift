import FileFormats

extension BenchmarkReport {
    /// `results.csv`: one row per run, every value at full precision (Swift's shortest text that
    /// reads back to the same Double); a metric a run lacks is an empty field.
    public var resultsTable: CSVTable {
        let names = metricNames
        let header = ["configuration", "seed", "epochs", "best_epoch"] + names
            + ["train_samples_per_s", "latency_p50_ms", "latency_p99_ms", "latency_batch", "latency_batches", "parameters", "wall_s"]
        let rows = runs.map { run in
            [run.configuration, String(run.seed), String(run.epochsTrained), String(run.bestEpoch)]
                + names.map { run.metrics[$0].map(CSVTable.finiteNumber) ?? "" }
                + [CSVTable.finiteNumber(run.trainingSamplesPerSecond), CSVTable.finiteNumber(run.latencyP50Milliseconds),
                   CSVTable.finiteNumber(run.latencyP99Milliseconds), String(run.latencyBatchSize), String(run.latencyBatches),
                   String(run.parameterCount), CSVTable.finiteNumber(run.wallSeconds)]
        }
        return CSVTable(header: header, rows: rows)
    }

    /// `summary.csv`: one row per configuration, `n` (runs) and the mean and sample standard
    /// deviation of every value; the deviation is empty for fewer than two values.
    public var summaryTable: CSVTable {
        let names = metricNames
        let header = ["configuration", "n"] + (names + BenchmarkSummaryRow.measurementNames).flatMap { ["\($0)_mean", "\($0)_std"] }
        let rows = summary.map { row in
            let statistics = names.map { row.metrics[$0] ?? BenchmarkStatistic([]) } + row.measurements
            return [row.configuration, String(row.runs)]
                + statistics.flatMap { [CSVTable.finiteNumber($0.mean), $0.standardDeviation.map(CSVTable.finiteNumber) ?? ""] }
        }
        return CSVTable(header: header, rows: rows)
    }
}
