import Foundation

/// The mean and sample standard deviation of one value over a configuration's seeds.
public struct BenchmarkStatistic: Sendable, Equatable {
    /// How many values it summarises (non-finite values are left out).
    public var count: Int
    /// NaN when there are no values.
    public var mean: Double
    /// The sample standard deviation, sqrt(sum (x - mean)^2 / (n - 1)); nil for fewer than two values.
    public var standardDeviation: Double?

    public init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        count = finite.count
        guard !finite.isEmpty else {
            mean = .nan
            standardDeviation = nil
            return
        }
        let mean = finite.reduce(0, +) / Double(finite.count)
        self.mean = mean
        if finite.count >= 2 {
            let squares = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardDeviation = (squares / Double(finite.count - 1)).squareRoot()
        } else {
            standardDeviation = nil
        }
    }

    /// `mean ± std` with enough decimals to show the standard deviation to two significant
    /// digits (at least `minimumDecimals`), so a spread is never rounded to zero.
    public func text(minimumDecimals: Int) -> String {
        text(decimals: decimalsNeeded(minimum: minimumDecimals))
    }

    /// `mean ± std` with `decimals` decimals; just the mean for one value, `–` for none.
    public func text(decimals: Int) -> String {
        guard count > 0 else { return "–" }
        guard let deviation = standardDeviation else { return Self.fixed(mean, decimals: decimals) }
        return Self.fixed(mean, decimals: decimals) + " ± " + (deviation == 0 ? "0" : Self.fixed(deviation, decimals: decimals))
    }

    /// The decimals that show the standard deviation to two significant digits, between
    /// `minimum` and `maximum`.
    public func decimalsNeeded(minimum: Int, maximum: Int = 12) -> Int {
        guard let deviation = standardDeviation, deviation > 0, deviation.isFinite else { return minimum }
        let leading = Int(log10(deviation).rounded(.down))  // 0.0123 -> -2, 45 -> 1
        return min(max(minimum, 1 - leading), max(maximum, minimum))
    }

    /// The decimals of a table column: what its most precise cell needs, so every cell of the
    /// column has the same decimals and can be compared digit by digit.
    public static func columnDecimals(_ statistics: [BenchmarkStatistic], minimum: Int, maximum: Int = 12) -> Int {
        statistics.map { $0.decimalsNeeded(minimum: minimum, maximum: maximum) }.max() ?? minimum
    }

    /// `value` with exactly `decimals` decimals.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        return String(format: "%.\(decimals)f", value)
    }
}
