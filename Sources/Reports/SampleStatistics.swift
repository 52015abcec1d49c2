/// The mean and spread of a sample of metric values (one per trial or seed).
public struct SampleStatistics: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// The sample standard deviation (divisor n - 1); nil for fewer than two values.
    public var standardDeviation: Double?
    public var minimum: Double
    public var maximum: Double

    /// The statistics of `values`, nil when there are none.
    public init?(_ values: [Double]) {
        guard let minimum = values.min(), let maximum = values.max() else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        let mean = self.mean
        standardDeviation = values.count < 2 ? nil
            : (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        self.minimum = minimum
        self.maximum = maximum
    }
}
