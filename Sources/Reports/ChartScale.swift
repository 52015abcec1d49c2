import Foundation

/// Maps data values on one axis to pixels, and chooses the axis's "nice" ticks (1, 2 or 5 times
/// a power of ten; decades on a log axis) and their labels.
public struct ChartScale: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case linear
        /// Base-10 logarithmic; every value must be above 0.
        case logarithmic
    }

    public var kind: Kind
    /// The data values at the two ends of the axis.
    public var lower: Double
    public var upper: Double
    /// The pixels the two ends map to (`upper` may be smaller than `lower`, as for a y axis).
    public var pixelLower: Double
    public var pixelUpper: Double

    public init(kind: Kind, lower: Double, upper: Double, pixelLower: Double, pixelUpper: Double) {
        self.kind = kind
        self.lower = lower
        self.upper = upper
        self.pixelLower = pixelLower
        self.pixelUpper = pixelUpper
    }

    /// The pixel of `value`.
    public func pixel(_ value: Double) -> Double {
        let from = transformed(lower), to = transformed(upper)
        let span = to - from
        guard span != 0 else { return (pixelLower + pixelUpper) / 2 }
        return pixelLower + (transformed(value) - from) / span * (pixelUpper - pixelLower)
    }

    private func transformed(_ value: Double) -> Double {
        kind == .logarithmic ? log10(max(value, .leastNormalMagnitude)) : value
    }

    // MARK: - Choosing the domain and the ticks

    /// The axis ends for data in `low...high`: padded by 5% of the span and widened to whole
    /// ticks (linear), padded by half a unit (whole-number data), or padded in log space
    /// (logarithmic); kept inside `limits` unless the data lies outside them.
    public static func domain(kind: Kind, low: Double, high: Double, limits: ClosedRange<Double>? = nil,
                              integers: Bool = false) -> (lower: Double, upper: Double) {
        var low = low, high = high
        if kind == .logarithmic {
            low = max(low, .leastNormalMagnitude)
            high = max(high, low)
            let decades = log10(high) - log10(low)
            let pad = decades > 0 ? pow(10, 0.05 * decades) : 2
            return (low / pad, high * pad)
        }
        var lower: Double, upper: Double
        if integers {
            // Whole-number data (trials, epochs) sits half a unit inside the ends, like categories.
            let padding = max(0.5, (high - low) * 0.03)
            lower = low - padding
            upper = high + padding
        } else {
            if high == low {
                let spread = low == 0 ? 1 : abs(low) * 0.05
                low -= spread
                high += spread
            }
            let padding = (high - low) * 0.05
            let step = niceStep(span: high - low + 2 * padding)
            lower = ((low - padding) / step).rounded(.down) * step
            upper = ((high + padding) / step).rounded(.up) * step
        }
        if let limits {
            lower = max(lower, min(limits.lowerBound, low))
            upper = min(upper, max(limits.upperBound, high))
        }
        return (lower, upper)
    }

    /// The step between about five ticks over `span`: 1, 2 or 5 times a power of ten (at least 1
    /// when `integers`).
    public static func niceStep(span: Double, integers: Bool = false, targetCount: Double = 5) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / targetCount
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        let step = nice * magnitude
        return integers ? max(1, step.rounded()) : step
    }

    /// The ticks inside the axis with their labels.
    public func ticks(integers: Bool = false) -> [(value: Double, label: String)] {
        let low = min(lower, upper), high = max(lower, upper)
        if kind == .logarithmic {
            if let logTicks = Self.logarithmicTicks(low: low, high: high) { return logTicks }
        }
        let step = Self.niceStep(span: high - low, integers: integers)
        let first = (low / step - 1e-9).rounded(.up)
        let last = (high / step + 1e-9).rounded(.down)
        guard first <= last, last - first < 1000 else { return [] }
        let decimals = max(0, Int(-(log10(step) + 1e-9).rounded(.down)))
        return stride(from: first, through: last, by: 1).map { index in
            let value = index * step
            return (value, Self.label(value, decimals: decimals))
        }
    }

    /// Powers of ten when at least three fit, else 1-2-5 multiples when at least two fit, else nil.
    private static func logarithmicTicks(low: Double, high: Double) -> [(value: Double, label: String)]? {
        guard low > 0, high > low else { return nil }
        let firstDecade = Int(log10(low).rounded(.down)), lastDecade = Int(log10(high).rounded(.up))
        guard lastDecade - firstDecade < 400 else { return nil }
        var decades: [Double] = [], multiples: [Double] = []
        for exponent in firstDecade...lastDecade {
            let power = pow(10, Double(exponent))
            for factor in [1.0, 2, 5] {
                let value = factor * power
                guard value >= low * (1 - 1e-9), value <= high * (1 + 1e-9) else { continue }
                multiples.append(value)
                if factor == 1 { decades.append(value) }
            }
        }
        let chosen = decades.count >= 3 ? decades : multiples.count >= 2 ? multiples : []
        guard !chosen.isEmpty else { return nil }
        return chosen.map { ($0, compactLabel($0)) }
    }

    /// `value` with `decimals` decimals (never "-0").
    static func label(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }

    /// A short label for a log-axis tick: `0.0005`, `20`, and `2e-5` or `1e6` beyond those.
    static func compactLabel(_ value: Double) -> String {
        if value >= 1e-4 && value < 1e6 {
            var text = String(format: "%.6f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        let exponent = Int(log10(value).rounded(.down))
        let mantissa = Int((value / pow(10, Double(exponent))).rounded())
        return "\(mantissa)e\(exponent)"
    }
}
