/// One benchmark run (a configuration on a seed) as the report shows it: plain values, filled in
/// by the command from what training measured.
public struct BenchmarkRunRecord: Sendable, Equatable {
    public var configuration: String
    public var seed: Int
    public var epochsTrained: Int
    /// The epoch the metrics come from: the best by the search metric.
    public var bestEpoch: Int
    /// Flat metric names (`val_f1_macro`, `test_accuracy`, ...) at the best epoch.
    public var metrics: [String: Double]
    public var trainingSamplesPerSecond: Double
    /// Inference latency of one batch of `latencyBatchSize` samples, milliseconds.
    public var latencyP50Milliseconds: Double
    public var latencyP99Milliseconds: Double
    public var latencyBatchSize: Int
    public var latencyBatches: Int
    public var parameterCount: Int
    public var wallSeconds: Double

    public init(configuration: String, seed: Int, epochsTrained: Int, bestEpoch: Int, metrics: [String: Double],
                trainingSamplesPerSecond: Double, latencyP50Milliseconds: Double, latencyP99Milliseconds: Double,
                latencyBatchSize: Int, latencyBatches: Int, parameterCount: Int, wallSeconds: Double) {
        self.configuration = configuration
        self.seed = seed
        self.epochsTrained = epochsTrained
        self.bestEpoch = bestEpoch
        self.metrics = metrics
        self.trainingSamplesPerSecond = trainingSamplesPerSecond
        self.latencyP50Milliseconds = latencyP50Milliseconds
        self.latencyP99Milliseconds = latencyP99Milliseconds
        self.latencyBatchSize = latencyBatchSize
        self.latencyBatches = latencyBatches
        self.parameterCount = parameterCount
        self.wallSeconds = wallSeconds
    }
}

/// What a benchmark ran, where and how, for the report's "What was run" section.
public struct BenchmarkSetup: Sendable, Equatable {
    public var plan: BenchmarkPlan
    public var seeds: [Int]
    /// BLAS threads of every run.
    public var threads: Int
    /// The command line as typed, the date, and the machine (CPU model and cores).
    public var command: String
    public var date: String
    public var machine: String
    /// Where the runs' folders are (checkpoints, `run.json`).
    public var workDirectory: String
    public var latencyBatchSize: Int
    public var minimumLatencyBatches: Int

    public init(plan: BenchmarkPlan, seeds: [Int], threads: Int, command: String, date: String, machine: String,
                workDirectory: String, latencyBatchSize: Int, minimumLatencyBatches: Int) {
        self.plan = plan
        self.seeds = seeds
        self.threads = threads
        self.command = command
        self.date = date
        self.machine = machine
        self.workDirectory = workDirectory
        self.latencyBatchSize = latencyBatchSize
        self.minimumLatencyBatches = minimumLatencyBatches
    }

    /// Configurations times seeds.
    public var plannedRuns: Int { plan.configurations.count * seeds.count }
}
