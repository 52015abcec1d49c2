import FlowData
import Foundation
import FileFormats
import NN
import TrialProtocol

/// The variant benchmark (`tune bench --space FILE --seeds K`): every configuration trained in
/// this process on the same data with the same epoch budget on each of the same seeds, then its
/// inference latency measured on the validation split.
///
/// Each run is an ordinary `tune train` run (its `run.json` is written to its folder, so
/// `tune train --config` repeats it): the seed drives initialisation, shuffling and dropout; the
/// validation split comes from the data's `split_seed` (default 0), so every configuration on
/// every seed validates on the same samples. Runs go seed by seed,
/// every configuration within a seed, so a drift in machine load spreads over all configurations.
public struct VariantBenchmark: Sendable {
    public var configurations: [BenchmarkConfiguration]
    /// The run file's `data` object, shared by every run.
    public var data: JSONValue
    public var seeds: [UInt64]
    /// Epochs of every run (the search's `budget.max_epochs`).
    public var epochs: Int
    /// The metric that picks each run's reported epoch, and whether larger is better.
    public var metric: String
    public var maximize: Bool
    /// BLAS threads of every run.
    public var threads: Int
    /// Where the runs' folders go (`NN-label/seed-S/`), replaced run by run.
    public var workDirectory: URL
    /// The file the configurations came from, for messages.
    public var source: String
    /// Samples per timed inference batch.
    public var latencyBatchSize = 256
    /// Timed inference batches: one pass over the validation split, but at least this many.
    public var minimumLatencyBatches = 100

    public init(configurations: [BenchmarkConfiguration], data: JSONValue, seeds: [UInt64], epochs: Int, metric: String,
                maximize: Bool, threads: Int, workDirectory: URL, source: String) {
        self.configurations = configurations
        self.data = data
        self.seeds = seeds
        self.epochs = epochs
        self.metric = metric
        self.maximize = maximize
        self.threads = threads
        self.workDirectory = workDirectory
        self.source = source
    }

    /// The number of runs: configurations times seeds.
    public var runCount: Int { configurations.count * seeds.count }

    /// The run file of configuration `index` on `seed`: its settings, the data, and the
    /// benchmark's epochs, seed, threads, metric and output folder.
    public func runFile(configuration index: Int, seed: UInt64) -> [String: JSONValue] {
        var members = configurations[index].settings
        members["data"] = data
        members["epochs"] = .number(Double(epochs))
        members["seed"] = .number(Double(seed))
        members["threads"] = .number(Double(threads))
        members["metric"] = .string(metric)
        members["output"] = .string(runDirectory(configuration: index, seed: seed).path)
        return members
    }

    /// The folder of configuration `index` on `seed`: `NN-label/seed-S` under the work directory.
    public func runDirectory(configuration index: Int, seed: UInt64) -> URL {
        let number = index + 1 < 10 ? "0\(index + 1)" : "\(index + 1)"
        return workDirectory
            .appendingPathComponent("\(number)-\(Self.folderName(configurations[index].label))")
            .appendingPathComponent("seed-\(seed)")
    }

    /// Checks every run file and the data settings before anything trains; errors name the
    /// source file, the field and the configuration.
    public func validate() throws {
        guard !configurations.isEmpty else { throw TrainingError.invalidSetting(field: "configurations", message: "is empty: nothing to benchmark") }
        guard !seeds.isEmpty else { throw TrainingError.invalidSetting(field: "seeds", message: "must list at least one seed") }
        guard latencyBatchSize >= 1, minimumLatencyBatches >= 1 else {
            throw TrainingError.invalidSetting(field: "latency", message: "needs a batch size and a batch count of at least 1")
        }
        guard let firstSeed = seeds.first else { return }
        for (index, configuration) in configurations.enumerated() {
            do {
                let parsed = try RunConfiguration.parse(.object(runFile(configuration: index, seed: firstSeed)), source: source)
                try parsed.dataSpec(source: source).validate()
            } catch let error as JSONFileError {
                var error = error
                error.message += " (configuration '\(configuration.label)')"
                throw error
            }
        }
    }

    /// Trains and measures every configuration on every seed, calling `onRun` after each run
    /// with the runs so far (for progress lines and partial reports).
    public func run(onRun: (_ run: VariantBenchmarkRun, _ finished: [VariantBenchmarkRun]) throws -> Void) throws -> [VariantBenchmarkRun] {
        try validate()
        var runs: [VariantBenchmarkRun] = []
        for seed in seeds {
            for index in configurations.indices {
                let run = try runOne(configuration: index, seed: seed)
                runs.append(run)
                try onRun(run, runs)
            }
        }
        return runs
    }

    /// One training run, from a fresh folder, then its latency on the validation split.
    func runOne(configuration index: Int, seed: UInt64) throws -> VariantBenchmarkRun {
        let directory = runDirectory(configuration: index, seed: seed)
        if FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let runFilePath = directory.appendingPathComponent("run.json").path
        try (JSONValue.object(runFile(configuration: index, seed: seed)).canonicalText + "\n")
            .write(toFile: runFilePath, atomically: true, encoding: .utf8)

        let session = try TrainingSession.start(configPath: runFilePath, overrides: [:])
        let clock = VariantBenchmarkClock()
        session.trainer.onBatch = { done, _ in clock.batchFinished(done: done) }
        var epochs: [EpochMetrics] = []
        let started = DispatchTime.now().uptimeNanoseconds
        clock.start()
        _ = try session.run(shouldStop: { false }) { metrics in
            epochs.append(metrics)
            clock.epochFinished()
        }
        let wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        guard let best = Self.bestEpoch(epochs, metric: metric, maximize: maximize) else {
            throw TrainingError.data("configuration '\(configurations[index].label)' on seed \(seed) trained no epochs")
        }

        let model = try Self.trainedModel(configuration: session.trainer.modelConfiguration, files: session.trainer.files)
        let validation = session.prepared.validation
        let passBatches = (validation.count + latencyBatchSize - 1) / latencyBatchSize
        let latency = try VariantBenchmarkLatency.measure(
            model: model, samples: validation, batchSize: latencyBatchSize,
            batches: max(passBatches, minimumLatencyBatches))
        return VariantBenchmarkRun(
            configuration: configurations[index].label, configurationIndex: index, seed: seed, output: directory,
            epochsTrained: epochs.count, bestEpoch: best.epoch, metrics: best.flat,
            trainingSamples: clock.trainingSamples, trainingSeconds: clock.trainingSeconds, latency: latency,
            parameterCount: model.parameters.parameterCount, wallSeconds: wallSeconds)
    }

    /// The epoch with the best value of `metric` (the first of equal ones); the last epoch when
    /// none has a finite value.
    static func bestEpoch(_ epochs: [EpochMetrics], metric: String, maximize: Bool) -> EpochMetrics? {
        var best: (epoch: EpochMetrics, value: Double)?
        for epoch in epochs {
            guard let value = epoch.value(of: metric), value.isFinite else { continue }
            if let current = best, maximize ? value <= current.value : value >= current.value { continue }
            best = (epoch, value)
        }
        return best?.epoch ?? epochs.last
    }

    /// The model of the run's best checkpoint (its last state when no epoch was best).
    static func trainedModel(configuration: ModelConfiguration, files: RunFiles) throws -> any SequenceClassifier {
        let path = FileManager.default.fileExists(atPath: files.bestModel.path) ? files.bestModel.path : files.state.path
        let model = try configuration.makeModel()
        let weights = try Safetensors.read(path: path).tensors.filter { !$0.key.hasPrefix("__") }
        try model.parameters.load(weights, path: path)
        return model
    }

    /// `label` with anything but letters, digits, '-', '_' and '.' replaced by '_', for folder names.
    static func folderName(_ label: String) -> String {
        let cleaned = String(label.unicodeScalars.map { scalar -> Character in
            let allowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
            return allowed ? Character(scalar) : "_"
        })
        return String(cleaned.prefix(60))
    }
}
