import ArgumentParser
import Foundation
import NN
import Reports
import Search
import Training

/// `tune bench ...`: benchmarks. Without a subcommand it runs `variants`
/// (`tune bench --space FILE --seeds K`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the model variants.",
        discussion: "Without a subcommand, bench runs `variants`: tune bench --space Searches/variants.json --seeds 3",
        subcommands: [VariantsCommand.self, SpeedCommand.self, StartupCommand.self, BenchCoordinatorCommand.self, BenchSamplersCommand.self],
        defaultSubcommand: VariantsCommand.self)
}

/// `tune bench --space FILE --seeds K`: every variant (or every listed configuration) trained
/// with the same budget on K seeds; mean ± std of the metrics, training throughput, inference
/// latency and parameters in `Reports/bench-NAME/`.
struct VariantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variants",
        abstract: "Compare the variants (or listed configurations) fairly: same data, budget and seeds.",
        discussion: """
            The search file gives the data, the metric, the epochs (budget.max_epochs) and the \
            parameters. Configurations: one per variant the `variant` parameter lists (all three \
            without it), or one per entry of an optional top-level "configurations" list of \
            run-file settings (each with an optional "name"). Every other parameter is held at one \
            value: its `value`, the first of its `values`, the midpoint of a uniform range, the \
            geometric midpoint of log_uniform_values, the middle value of int_uniform/q_uniform.

            Each configuration trains on seeds S..S+K-1, one run at a time in this process; the \
            runs' folders go to Searches/NAME/bench/ beside the search file (ignored by git). The \
            report, Reports/bench-NAME/ (README.md, results.csv, summary.csv), is rewritten after \
            every run; a line on stderr says how each run went.
            """)

    @Option(help: "The search file (JSON, or YAML as .yaml/.yml).") var space: String
    @Option(help: "Seeds per configuration (K).") var seeds = 3
    @Option(help: "The first seed: runs use seeds S, S+1, ..., S+K-1.") var seed = 0
    @Option(help: "Reports folder; the report goes to OUTPUT/bench-NAME/.") var output = "Reports"
    @Option(help: "BLAS threads of every run (default: the number of cores).") var threads: Int?
    @Option(name: .customLong("latency-batch"), help: "Samples per timed inference batch.") var latencyBatch = 256

    func validate() throws {
        if seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if seeds > 1000 { throw ValidationError("--seeds is \(seeds); more than 1000 seeds is surely a mistake") }
        if seed < 0 { throw ValidationError("--seed must not be negative, got \(seed)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if latencyBatch < 1 { throw ValidationError("--latency-batch must be at least 1, got \(latencyBatch)") }
    }

    func run() throws {
        let plan = try BenchmarkPlan.read(path: space, knownParameters: RunConfiguration.searchableKeys,
                                          knownMetrics: Set(EpochMetrics.knownNames))
        let definition = plan.definition
        let threads = self.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let seedList = (0..<seeds).map { UInt64(seed + $0) }
        let workPath = Self.workDirectory(space: space, name: definition.name)
        var benchmark = VariantBenchmark(
            configurations: plan.configurations,
            data: plan.data, seeds: seedList, epochs: definition.budget.maximumEpochs, metric: definition.metric.name,
            maximize: definition.metric.goal == .maximize, threads: threads,
            workDirectory: URL(fileURLWithPath: workPath), source: space)
        benchmark.latencyBatchSize = latencyBatch
        try benchmark.validate()

        let setup = BenchmarkSetup(
            plan: plan, seeds: seedList.map { Int($0) }, threads: threads, command: Self.commandLine(),
            date: ISO8601DateFormatter().string(from: Date()), machine: BenchmarkSetup.machineDescription(),
            workDirectory: workPath, latencyBatchSize: latencyBatch, minimumLatencyBatches: benchmark.minimumLatencyBatches)
        var report = BenchmarkReport(setup: setup, runs: [])
        let reportFolder = URL(fileURLWithPath: output).appendingPathComponent(report.folderName)
        printError("bench '\(definition.name)': \(plan.configurations.map(\.label).joined(separator: ", ")) x \(seeds) seed(s) "
                   + "= \(benchmark.runCount) runs of \(definition.budget.maximumEpochs) epoch(s), \(threads) BLAS thread(s) each; "
                   + "runs in \(workPath), report in \(reportFolder.path)")
        _ = try benchmark.run { run, finished in
            report.runs = finished.map(Self.record)
            try report.write(to: URL(fileURLWithPath: output))
            printError(Self.progressLine(run, finished: finished.count, total: benchmark.runCount, metric: definition.metric.name))
        }
        print(report.resultsMarkdown.text, terminator: "")
        printError("bench finished: \(reportFolder.appendingPathComponent("README.md").path)")
    }

    /// Searches/NAME/bench beside the search file, as the user would type it.
    static func workDirectory(space: String, name: String) -> String {
        let folder = NSString(string: space).deletingLastPathComponent
        return (folder.isEmpty ? "" : folder + "/") + name + "/bench"
    }

    /// A finished run as the report's plain record.
    static func record(_ run: VariantBenchmarkRun) -> BenchmarkRunRecord {
        BenchmarkRunRecord(
            configuration: run.configuration, seed: Int(run.seed), epochsTrained: run.epochsTrained, bestEpoch: run.bestEpoch,
            metrics: run.metrics, trainingSamplesPerSecond: run.trainingSamplesPerSecond,
            latencyP50Milliseconds: run.latency.p50 * 1000, latencyP99Milliseconds: run.latency.p99 * 1000,
            latencyBatchSize: run.latency.batchSize, latencyBatches: run.latency.batchSeconds.count,
            parameterCount: run.parameterCount, wallSeconds: run.wallSeconds)
    }

    /// `bench 3/9: attention seed 0: val_f1_macro 0.9931 (epoch 3 of 3), 1520 train samples/s, ...`
    static func progressLine(_ run: VariantBenchmarkRun, finished: Int, total: Int, metric: String) -> String {
        let value: String = run.metrics[metric].map { String(format: "%.4f", $0) } ?? "n/a"
        let speed: String = String(format: "%.0f train samples/s", run.trainingSamplesPerSecond)
        let latency: String = String(format: "latency p50 %.2f ms p99 %.2f ms", run.latency.p50 * 1000, run.latency.p99 * 1000)
        let wall: String = String(format: "%.1f s", run.wallSeconds)
        return "bench \(finished)/\(total): \(run.configuration) seed \(run.seed): \(metric) \(value) "
            + "(epoch \(run.bestEpoch) of \(run.epochsTrained)), \(speed), \(latency) (batch \(run.latency.batchSize)), "
            + "\(run.parameterCount) parameters, \(wall)"
    }

    /// The command as typed, for the report (arguments with spaces or quotes single-quoted).
    static func commandLine() -> String {
        (["tune"] + CommandLine.arguments.dropFirst()).map { argument in
            argument.contains(where: { " \"'$\\".contains($0) }) || argument.isEmpty
                ? "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" : argument
        }.joined(separator: " ")
    }
}

/// `tune bench speed`: training and inference throughput, one JSON line per variant, in the
/// fields of ../shared/bench/torch_reference.py.
struct SpeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "Measure training and inference throughput of each variant on random input.",
        discussion: """
            Prints one JSON line per variant with the same fields as the PyTorch reference \
            (../shared/bench/torch_reference.py), so both can be compared on one machine, plus \
            "kernels": the GEMM implementation that ran (avx512, avx2 or openblas; TUNE_GEMM forces one).
            """)

    @Option(help: "Variant to measure: lstm, bilstm or attention (attn). Default: all three.")
    var variant: ModelConfiguration.Variant?
    @Option(help: "Features per time step (C).") var channels = 6
    @Option(help: "Time steps per sample (L).") var seq = 128
    @Option(help: "Number of classes.") var classes = 2
    @Option(help: "LSTM hidden size.") var hidden = 128
    @Option(help: "LSTM layers.") var layers = 1
    @Option(help: "Training batch size.") var batch = 64
    @Option(help: "Timed training steps (after 3 warm-up steps).") var steps = 30
    @Option(help: "BLAS threads.") var threads = 2

    func validate() throws {
        for (name, value) in [("channels", channels), ("seq", seq), ("hidden", hidden), ("layers", layers),
                              ("batch", batch), ("steps", steps), ("threads", threads)]
        where value < 1 {
            throw ValidationError("--\(name) must be at least 1, got \(value)")
        }
        if classes < 2 { throw ValidationError("--classes must be at least 2, got \(classes)") }
    }

    func run() throws {
        let variants = variant.map { [$0] } ?? ModelConfiguration.Variant.allCases
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for variant in variants {
            var benchmark = SpeedBenchmark()
            benchmark.variant = variant
            benchmark.channels = channels
            benchmark.sequenceLength = seq
            benchmark.classes = classes
            benchmark.hidden = hidden
            benchmark.layers = layers
            benchmark.batchSize = batch
            benchmark.steps = steps
            benchmark.threads = threads
            let result: SpeedBenchmark.Result
            do {
                result = try benchmark.run()
            } catch let error as ModelError {
                throw ValidationError(error.description)
            }
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}
