import FileFormats
import Foundation
@testable import Reports
import Testing

/// The benchmark report of a fixed set of runs equals its golden text byte for byte, its CSVs
/// read back to the values they were written from, and writing puts the three files in place.
@Suite("Benchmark report")
struct BenchmarkReportTests {
    @Test func markdownMatchesItsGoldenText() throws {
        let report = try BenchmarkReportFixtures.report()
        Self.expectSame(report.markdown, Self.goldenMarkdown, "README.md")
    }

    @Test func csvTablesMatchTheirGoldenText() throws {
        let report = try BenchmarkReportFixtures.report()
        Self.expectSame(report.resultsTable.text, Self.goldenResults, "results.csv")
        Self.expectSame(report.summaryTable.text, Self.goldenSummary, "summary.csv")
    }

    @Test func resultsParseBackToTheSameValues() throws {
        let report = try BenchmarkReportFixtures.report()
        let table = try CSVTable.parse(report.resultsTable.text)
        #expect(table == report.resultsTable)
        #expect(table.rows.count == BenchmarkReportFixtures.runs.count)
        func column(_ name: String) throws -> Int { try #require(table.header.firstIndex(of: name)) }
        for (row, run) in zip(table.rows, BenchmarkReportFixtures.runs) {
            #expect(row[try column("configuration")] == run.configuration)
            #expect(Int(row[try column("seed")]) == run.seed)
            #expect(Int(row[try column("best_epoch")]) == run.bestEpoch)
            for (name, value) in run.metrics {
                #expect(Double(row[try column(name)]) == value, "\(name) of \(run.configuration) seed \(run.seed)")
            }
            #expect(Double(row[try column("train_samples_per_s")]) == run.trainingSamplesPerSecond)
            #expect(Double(row[try column("latency_p50_ms")]) == run.latencyP50Milliseconds)
            #expect(Double(row[try column("latency_p99_ms")]) == run.latencyP99Milliseconds)
            #expect(Int(row[try column("parameters")]) == run.parameterCount)
            #expect(Double(row[try column("wall_s")]) == run.wallSeconds)
        }
        // The attention run on seed 0 has no test ROC-AUC: an empty field, not a zero.
        #expect(table.rows[2][try column("test_roc_auc")] == "")
    }

    @Test func summaryParsesBackToTheMeansAndDeviations() throws {
        let report = try BenchmarkReportFixtures.report()
        let table = try CSVTable.parse(report.summaryTable.text)
        #expect(table == report.summaryTable)
        #expect(table.rows.map { $0[0] } == ["lstm", "bilstm", "attention"])
        let mean = try #require(table.header.firstIndex(of: "val_f1_macro_mean"))
        let deviation = try #require(table.header.firstIndex(of: "val_f1_macro_std"))
        for (row, summary) in zip(table.rows, report.summary) {
            let statistic = try #require(summary.metrics["val_f1_macro"])
            #expect(Double(row[mean]) == statistic.mean)
            #expect(Double(row[deviation]) == statistic.standardDeviation)
            #expect(row[1] == "2")
        }
        let samplesPerSecond = try #require(table.header.firstIndex(of: "train_samples_per_s_mean"))
        #expect(Double(table.rows[0][samplesPerSecond]) == 2050)
    }

    @Test func aStoppedBenchmarkLeavesAPartialReportThatSaysSo() throws {
        var report = try BenchmarkReportFixtures.report()
        report.runs = Array(report.runs.prefix(2))  // lstm and bilstm on seed 0
        #expect(report.markdown.contains("**Partial report: 2 of 6 runs have finished.**"))
        #expect(report.resultsMarkdown.text.contains("| lstm | 1 | 0.9912 |"))
        #expect(report.resultsMarkdown.text.contains("| bilstm | 1 |"))
        #expect(!report.resultsMarkdown.text.contains("| attention |"))
        #expect(try CSVTable.parse(report.summaryTable.text).rows.map { $0[0] } == ["lstm", "bilstm"])
    }

    @Test func writingPutsTheThreeFilesInTheReportFolder() throws {
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("tune-bench-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: reports) }
        let report = try BenchmarkReportFixtures.report()
        let folder = try report.write(to: reports)
        try report.write(to: reports)  // rewriting replaces each file in place
        #expect(folder.lastPathComponent == "bench-golden")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["README.md", "results.csv", "summary.csv"])
        #expect(try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8) == report.markdown)
    }

    @Test func theMachineIsNamedFromProcCpuinfo() {
        let cpuInfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\nflags\t: fpu\n"
        #expect(BenchmarkSetup.cpuModel(cpuInfo: cpuInfo) == "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz")
        #expect(BenchmarkSetup.cpuModel(cpuInfo: "processor\t: 0\n") == nil)
        #expect(BenchmarkSetup.machineDescription(cpuInfoPath: "/nonexistent", loadAveragePath: "/nonexistent").hasPrefix("unknown CPU, "))
    }

    /// Records where `actual` first differs from `golden`, line by line.
    static func expectSame(_ actual: String, _ golden: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard actual != golden else { return }
        let expected = golden.components(separatedBy: "\n"), got = actual.components(separatedBy: "\n")
        let line = zip(expected, got).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, got.count)
        Issue.record("""
            \(name) differs from its golden text at line \(line + 1):
              golden: \(line < expected.count ? expected[line] : "<end>")
              actual: \(line < got.count ? got[line] : "<end>")
            """, sourceLocation: sourceLocation)
    }

    // MARK: - Golden text (dates, machine and paths are fixed by the fixture)

    static let goldenMarkdown = #"""
# Variant benchmark: golden

3 configurations × 2 seeds = 6 runs, each trained for 3 epochs on the same data, one after another in one process. Every cell is the mean ± sample standard deviation (n − 1 in the denominator) over the configuration's n seeds; the metrics are those of each run's best epoch by `val_f1_macro` (maximize).

## Results

| configuration | n | val_f1_macro | test_accuracy | test_f1_macro | train samples/s | latency p50 (ms) | latency p99 (ms) | parameters |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| lstm | 2 | 0.99130 ± 0.00014 | 0.8000 ± 0.0018 | 0.7900 ± 0.0018 | 2050 ± 71 | 21.00 ± 0.71 | 23.50 ± 1.77 | 300000 |
| bilstm | 2 | 0.99305 ± 0 | 0.8100 ± 0.0033 | 0.8000 ± 0.0033 | 1450 ± 71 | 30.00 ± 0 | 32.00 ± 1.41 | 500000 |
| attention | 2 | 0.99000 ± 0.00707 | 0.8400 ± 0.0141 | 0.8300 ± 0.0141 | 900 ± 1 | 45.00 ± 0.18 | 51.00 ± 1.41 | 600000 |

- **train samples/s**: samples trained divided by the seconds spent training them (shuffling, forward, backward, gradient clipping, Adam), over all epochs; per-epoch evaluation and checkpoint writing are not counted.
- **latency**: the time of one `forward` in evaluation mode on a batch of 256 validation samples (taken in order, wrapping around), after one untimed warm-up batch. Each run times one pass over its validation split, at least 100 batches, and takes p50 and p99 by nearest rank (the value of rank ⌈p/100 · N⌉ of its N batch times); the table shows their mean ± std over seeds.
- **parameters**: trainable parameters (BatchNorm running statistics are not counted).
- Every run used 2 BLAS threads.

## Metrics at the best epoch

| configuration | n | best epoch | val_f1_macro | val_accuracy | test_accuracy | test_f1_macro | test_roc_auc |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| lstm | 2 | 2.50 ± 0.71 | 0.99130 ± 0.00014 | 0.99230 ± 0.00014 | 0.8000 ± 0.0018 | 0.7900 ± 0.0018 | 0.95050 ± 0.00071 |
| bilstm | 2 | 2.50 ± 0.71 | 0.99305 ± 0 | 0.99405 ± 0 | 0.8100 ± 0.0033 | 0.8000 ± 0.0033 | 0.96100 ± 0.00141 |
| attention | 2 | 2.50 ± 0.71 | 0.99000 ± 0.00707 | 0.99100 ± 0.00707 | 0.8400 ± 0.0141 | 0.8300 ± 0.0141 | 0.97000 (n=1) |

Every other metric (losses, precision, recall, learning rate) is in `results.csv` and `summary.csv`.

## Runs

| configuration | seed | best epoch | val_f1_macro | test_accuracy | test_f1_macro | train samples/s | latency p50 (ms) | latency p99 (ms) | wall (s) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| lstm | 0 | 3 of 3 | 0.99120 | 0.8013 | 0.7913 | 2000 | 20.50 | 22.25 | 12.2 |
| bilstm | 0 | 3 of 3 | 0.99305 | 0.8123 | 0.8023 | 1500 | 30.00 | 31.00 | 12.2 |
| attention | 0 | 3 of 3 | 0.99500 | 0.8300 | 0.8200 | 900 | 45.12 | 50.00 | 12.2 |
| lstm | 1 | 2 of 3 | 0.99140 | 0.7987 | 0.7887 | 2100 | 21.50 | 24.75 | 13.2 |
| bilstm | 1 | 2 of 3 | 0.99305 | 0.8077 | 0.7977 | 1400 | 30.00 | 33.00 | 13.2 |
| attention | 1 | 2 of 3 | 0.98500 | 0.8500 | 0.8400 | 900 | 44.88 | 52.00 | 13.2 |

## What was run

- Search file: `Searches/golden.json` (`golden`)
- Command: `tune bench --space Searches/golden.json --seeds 2`
- Date: 2025-01-02T03:04:05Z
- Machine: Test CPU @ 1.00GHz, 2 cores; 2 BLAS threads per run
- Data: `{"flows":600,"format":"synthetic"}`
- Budget: 3 epochs per run (`budget.max_epochs`); the reported epoch is each run's best by `val_f1_macro`
- Seeds: 0, 1. A run's seed drives its initialisation, shuffling and dropout; the stratified validation split comes from the data's `split_seed` (default 0), so every run trains and validates on the same split.
- Order: seed by seed, every configuration within a seed, so a drift in machine load spreads over all of them.
- Run folders: `Searches/golden/bench` (checkpoints, `epochs.jsonl`, and `run.json`: `tune train --config FOLDER/run.json` repeats a run).

### Configurations

| configuration | settings |
| --- | --- |
| lstm | `variant` lstm, `dropout` 0.25, `lr` 0.001 |
| bilstm | `variant` bilstm, `dropout` 0.25, `lr` 0.001 |
| attention | `variant` attention, `dropout` 0.25, `lr` 0.001 |

Settings not listed take the trainer's defaults. A searched parameter is held at one value: a parameter's `value` as given; `values`: the first listed; `uniform`: (min + max) / 2; `log_uniform_values`: the geometric midpoint √(min · max); `int_uniform` and `q_uniform`: the middle allowed value (the lower of the two middles).

## Files

- `results.csv`: one row per run (configuration × seed), every value at full precision.
- `summary.csv`: one row per configuration: `n`, then the mean and sample standard deviation of every value.

"""#

    static let goldenResults = #"""
configuration,seed,epochs,best_epoch,val_f1_macro,val_accuracy,test_accuracy,test_f1_macro,test_roc_auc,val_loss,train_samples_per_s,latency_p50_ms,latency_p99_ms,latency_batch,latency_batches,parameters,wall_s
lstm,0,3,3,0.9912,0.9922,0.80125,0.79125,0.95,0.125,2000.0,20.5,22.25,256,100,300000,12.25
bilstm,0,3,3,0.99305,0.99405,0.8123,0.8023,0.96,0.125,1500.0,30.0,31.0,256,100,500000,12.25
attention,0,3,3,0.995,0.996,0.83,0.82,,0.125,900.5,45.125,50.0,256,100,600000,12.25
lstm,1,3,2,0.9914,0.9924,0.79875,0.78875,0.951,0.125,2100.0,21.5,24.75,256,100,300000,13.25
bilstm,1,3,2,0.99305,0.99405,0.8077,0.7977,0.962,0.125,1400.0,30.0,33.0,256,100,500000,13.25
attention,1,3,2,0.985,0.986,0.85,0.84,0.97,0.125,899.5,44.875,52.0,256,100,600000,13.25

"""#

    static let goldenSummary = #"""
configuration,n,val_f1_macro_mean,val_f1_macro_std,val_accuracy_mean,val_accuracy_std,test_accuracy_mean,test_accuracy_std,test_f1_macro_mean,test_f1_macro_std,test_roc_auc_mean,test_roc_auc_std,val_loss_mean,val_loss_std,train_samples_per_s_mean,train_samples_per_s_std,latency_p50_ms_mean,latency_p50_ms_std,latency_p99_ms_mean,latency_p99_ms_std,parameters_mean,parameters_std,wall_s_mean,wall_s_std,best_epoch_mean,best_epoch_std
lstm,2,0.9913,0.00014142135623729392,0.9923,0.00014142135623729392,0.8,0.0017677669529664096,0.79,0.0017677669529664096,0.9504999999999999,0.0007071067811865482,0.125,0.0,2050.0,70.71067811865476,21.0,0.7071067811865476,23.5,1.7677669529663689,300000.0,0.0,12.75,0.7071067811865476,2.5,0.7071067811865476
bilstm,2,0.99305,0.0,0.99405,0.0,0.81,0.003252691193458153,0.8,0.003252691193458153,0.961,0.0014142135623730963,0.125,0.0,1450.0,70.71067811865476,30.0,0.0,32.0,1.4142135623730951,500000.0,0.0,12.75,0.7071067811865476,2.5,0.7071067811865476
attention,2,0.99,0.007071067811865481,0.991,0.007071067811865481,0.84,0.014142135623730963,0.83,0.014142135623730963,0.97,,0.125,0.0,900.0,0.7071067811865476,45.0,0.1767766952966369,51.0,1.4142135623730951,600000.0,0.0,12.75,0.7071067811865476,2.5,0.7071067811865476

"""#
}
