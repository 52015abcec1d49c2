/// One configuration's runs summarised over its seeds.
public struct BenchmarkSummaryRow: Sendable, Equatable {
    public var configuration: String
    /// Runs of this configuration (seeds finished).
    public var runs: Int
    /// Every metric, by flat name.
    public var metrics: [String: BenchmarkStatistic]
    public var trainingSamplesPerSecond: BenchmarkStatistic
    public var latencyP50Milliseconds: BenchmarkStatistic
    public var latencyP99Milliseconds: BenchmarkStatistic
    public var parameterCount: BenchmarkStatistic
    public var wallSeconds: BenchmarkStatistic
    public var bestEpoch: BenchmarkStatistic

    /// The summary of `records` (all of one configuration), for `metricNames`.
    public init(configuration: String, records: [BenchmarkRunRecord], metricNames: [String]) {
        self.configuration = configuration
        runs = records.count
        var metrics: [String: BenchmarkStatistic] = [:]
        for name in metricNames {
            metrics[name] = BenchmarkStatistic(records.compactMap { $0.metrics[name] })
        }
        self.metrics = metrics
        trainingSamplesPerSecond = BenchmarkStatistic(records.map(\.trainingSamplesPerSecond))
        latencyP50Milliseconds = BenchmarkStatistic(records.map(\.latencyP50Milliseconds))
        latencyP99Milliseconds = BenchmarkStatistic(records.map(\.latencyP99Milliseconds))
        parameterCount = BenchmarkStatistic(records.map { Double($0.parameterCount) })
        wallSeconds = BenchmarkStatistic(records.map(\.wallSeconds))
        bestEpoch = BenchmarkStatistic(records.map { Double($0.bestEpoch) })
    }

    /// The CSV names of the non-metric values, in the order of `measurements`.
    public static let measurementNames = ["train_samples_per_s", "latency_p50_ms", "latency_p99_ms", "parameters", "wall_s", "best_epoch"]

    /// The non-metric values, in the order of `measurementNames`.
    public var measurements: [BenchmarkStatistic] {
        [trainingSamplesPerSecond, latencyP50Milliseconds, latencyP99Milliseconds, parameterCount, wallSeconds, bestEpoch]
    }
}
