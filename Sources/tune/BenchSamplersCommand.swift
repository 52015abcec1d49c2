import ArgumentParser
import Foundation
import FileFormats
import Search

/// `tune bench samplers --space FILE --table CURVES.csv`: random, ASHA, TPE and TPE + ASHA
/// against recorded learning curves, many seeds each, as traces for `Reports/samplers/plot.py`;
/// with `--idle`, what TPE's deterministic view costs in idle workers at several `--parallel`.
struct BenchSamplersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samplers",
        abstract: "Compare samplers and schedulers on a table of recorded learning curves.",
        discussion: """
            Each search runs through the real coordinator; a trial reports the curve of the table's \
            row nearest to its configuration. Writes one CSV row each time a seed's best value \
            improves, and one at its end (method, seed, trial, epochs spent, best value so far). With --idle, prints one JSON line per method, \
            lag and worker count instead: simulated elapsed time and idle share, beside random \
            sampling under the same scheduler.
            """)

    @Option(help: "The search file the table was recorded with.") var space: String
    @Option(help: "The learning curves (trial, parameters, seconds_per_epoch, e1...eN).") var table: String
    @Option(help: "Seeds per method.") var seeds = 20
    @Option(help: "Trials of a method that trains every trial to the full budget.") var trials = 100
    @Option(help: "Trials of a method that halves (it stops at the epoch budget first).") var halvingTrials = 300
    @Option(help: "The first rung (epochs) of the halving methods.") var minEpochs = 1
    @Option(help: "Epochs a seed may spend (default: trials x max_epochs).") var epochBudget: Int?
    @Option(help: "The CSV of traces to write.") var out = "Reports/samplers/tune-runs.csv"
    @Flag(help: "Measure idle workers instead of writing traces.") var idle = false
    @Option(help: "Worker counts for --idle, comma-separated.") var workers = "2,4,8"
    @Option(help: "TPE lags for --idle, comma-separated.") var lags = "0,1,3,7"

    func validate() throws {
        if seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if trials < 1 || halvingTrials < 1 { throw ValidationError("--trials and --halving-trials must be at least 1") }
        if Self.list(workers).isEmpty || Self.list(workers).contains(where: { $0 < 1 }) {
            throw ValidationError("--workers must list whole numbers of at least 1, got \(workers)")
        }
        if Self.list(lags).isEmpty || Self.list(lags).contains(where: { $0 < 0 }) {
            throw ValidationError("--lags must list whole numbers of at least 0, got \(lags)")
        }
    }

    static func list(_ text: String) -> [Int] {
        text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() throws {
        let base = try SearchDefinition.read(path: space)
        let benchmark = SamplerBenchmark(base: base, table: try LearningCurveTable.read(path: table, parameters: base.parameters),
                                         minimumEpochs: minEpochs)
        if idle {
            try measureIdle(benchmark)
            return
        }
        let budget = epochBudget ?? trials * base.budget.maximumEpochs
        var csv = CSVTable(header: ["method", "seed", "trial", "epochs_spent", "best_value"])
        for method in SamplerBenchmark.Method.all {
            let started = Date()
            for seed in 0..<seeds {
                let count = method.scheduler.halves ? halvingTrials : trials
                for point in try benchmark.trace(method, seed: seed, trials: count, epochBudget: budget) {
                    csv.rows.append([method.name, String(seed), String(point.trial), String(point.epochsSpent), CSVTable.number(point.bestValue)])
                }
            }
            printError("\(method.name): \(seeds) seeds in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: out).deletingLastPathComponent(), withIntermediateDirectories: true)
        try csv.text.write(toFile: out, atomically: true, encoding: .utf8)
        printError("wrote \(out): \(csv.rows.count) rows, \(benchmark.table.rows.count) table rows")
    }

    private func measureIdle(_ benchmark: SamplerBenchmark) throws {
        for method in SamplerBenchmark.Method.all where method.sampler == .tpe {
            for lag in Self.list(lags) {
                for count in Self.list(workers) {
                    var idle: [SamplerBenchmark.Idle] = []
                    for seed in 0..<seeds {
                        idle.append(try benchmark.idle(method, lag: lag, workers: count, seed: seed,
                                                       trials: method.scheduler.halves ? halvingTrials : trials))
                    }
                    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
                    print(JSONValue.object([
                        "method": .string(method.name), "lag": .number(Double(lag)), "workers": .number(Double(count)),
                        "seeds": .number(Double(seeds)),
                        "idle_fraction": .number((median(idle.map(\.idleFraction)) * 1000).rounded() / 1000),
                        "random_idle_fraction": .number((median(idle.map(\.randomIdleFraction)) * 1000).rounded() / 1000),
                        "elapsed_ratio_to_random": .number((median(idle.map { $0.elapsedSeconds / $0.randomElapsedSeconds }) * 1000).rounded() / 1000),
                    ]).canonicalText)
                }
            }
        }
    }
}
