import Foundation

/// How features are rescaled before training, optionally after a signed log1p
/// (`sign(x) * log(1 + |x|)`), which tames heavy-tailed byte and packet counts.
public struct ScalerChoice: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// No rescaling.
        case none
        /// (x - mean) / standard deviation (population, as scikit-learn's StandardScaler).
        case standard
        /// (x - median) / (95th - 5th percentile), as the upstream notebook's RobustScaler.
        case robust
        /// (x - min) / (max - min), into [0, 1] on the training data.
        case minMax = "minmax"
    }

    public var kind: Kind
    public var logTransform: Bool

    public init(kind: Kind, logTransform: Bool) {
        self.kind = kind
        self.logTransform = logTransform
    }

    /// The recommended default: signed log1p then standard scaling (see the data README note).
    public static let recommended = ScalerChoice(kind: .standard, logTransform: true)

    /// Parses the run-file name: `none`, `standard`, `robust`, `minmax` (or `min-max`), each with
    /// an optional `log-` prefix; `log` alone is log1p without rescaling.
    public init(name: String) throws {
        var rest = name.lowercased()
        var log = false
        if rest == "log" { rest = "log-none" }
        if rest.hasPrefix("log-") { log = true; rest.removeFirst(4) }
        if rest == "min-max" { rest = "minmax" }
        guard let kind = Kind(rawValue: rest) else {
            throw DataError.invalidSpec(
                field: "scaler",
                reason: "'\(name)' is not a scaler; use none, standard, robust or minmax, optionally prefixed with log- (e.g. log-standard)")
        }
        self.init(kind: kind, logTransform: log)
    }

    /// The run-file name (`log-standard`, `robust`, ...).
    public var name: String {
        if logTransform { return kind == .none ? "log" : "log-\(kind.rawValue)" }
        return kind.rawValue
    }

    public var description: String { name }
}

/// A fitted per-feature scaler: `y = (t(x) - center) / scale` with `t` the optional signed log1p.
/// Fit on training rows only; stored in checkpoints so prediction applies the same transform.
public struct Scaler: Codable, Sendable, Equatable {
    public var choice: ScalerChoice
    public var center: [Double]  // (F)
    public var scale: [Double]   // (F), never zero
    /// Quantile range of the robust scaler, in percent.
    public static let robustQuantiles = (lower: 5.0, upper: 95.0)

    public init(choice: ScalerChoice, center: [Double], scale: [Double]) {
        self.choice = choice
        self.center = center
        self.scale = scale
    }

    public var featureCount: Int { center.count }

    /// The signed log1p: keeps the sign, compresses magnitude (0 stays 0).
    @inline(__always)
    public static func signedLog1p(_ value: Double) -> Double {
        value < 0 ? -Foundation.log1p(-value) : Foundation.log1p(value)
    }

    /// Fits one scale per feature; `columns[f]` holds every training value of feature f.
    /// A feature with no spread gets scale 1 so it maps to 0 instead of dividing by zero.
    public static func fit(_ choice: ScalerChoice, columns: [[Double]]) -> Scaler {
        let rowCount = columns.first?.count ?? 0
        precondition(columns.allSatisfy { $0.count == rowCount }, "scaler columns differ in length")
        return fit(choice, featureCount: columns.count) { feature, values in
            values = columns[feature].map { pretransformed($0, choice: choice) }
        }
    }

    /// Fits one scale per feature from `fillColumn(feature, &values)`, which puts the training
    /// values of one feature, already through the optional log1p, into a buffer reused for
    /// every feature (so fitting needs one column of memory, not the whole matrix).
    static func fit(_ choice: ScalerChoice, featureCount: Int, fillColumn: (Int, inout [Double]) -> Void) -> Scaler {
        var center: [Double] = []
        var scale: [Double] = []
        var values: [Double] = []
        for feature in 0..<featureCount {
            fillColumn(feature, &values)
            var (c, s) = (0.0, 1.0)
            switch choice.kind {
            case .none:
                break
            case .standard:
                let count = Double(max(values.count, 1))
                let mean = values.reduce(0, +) / count
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
                (c, s) = (mean, variance.squareRoot())
            case .robust:
                values.sort()
                let median = quantile(values, 0.5)
                let range = quantile(values, robustQuantiles.upper / 100) - quantile(values, robustQuantiles.lower / 100)
                (c, s) = (median, range)
            case .minMax:
                let lowest = values.min() ?? 0
                let highest = values.max() ?? 0
                (c, s) = (lowest, highest - lowest)
            }
            if !(s > 0) || !s.isFinite { s = 1 }
            if !c.isFinite { c = 0 }
            center.append(c)
            scale.append(s)
        }
        return Scaler(choice: choice, center: center, scale: scale)
    }

    /// The quantile `q` of ascending `sorted` values with linear interpolation (NumPy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Feature `feature` of one value, transformed.
    @inline(__always)
    public func transform(_ value: Double, feature: Int) -> Double {
        let t = choice.logTransform ? Self.signedLog1p(value) : value
        return (t - center[feature]) / scale[feature]
    }

    /// `value` through the optional signed log1p of `choice` (zeros, e.g. absent flags and
    /// one-hot columns, stay zero without taking the logarithm).
    @inline(__always)
    static func pretransformed(_ value: Double, choice: ScalerChoice) -> Double {
        choice.logTransform && value != 0 ? signedLog1p(value) : value
    }

    /// The scaler as one JSON string, for a checkpoint's string metadata.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = try encoder.encode(self)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A scaler restored from `jsonString()`; throws a readable error when the text is not one.
    public init(jsonString: String) throws {
        do {
            self = try JSONDecoder().decode(Scaler.self, from: Data(jsonString.utf8))
        } catch {
            throw DataError.invalidState(what: "scaler", reason: "\(error)")
        }
        guard center.count == scale.count, scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DataError.invalidState(what: "scaler", reason: "center and scale must have equal lengths and positive scales")
        }
    }
}
