import Foundation
import FileFormats

/// How one hyperparameter is chosen for a trial, in the forms of a Weights & Biases sweep file.
public enum ParameterDistribution: Sendable, Equatable {
    /// `{"value": x}`: the same value in every trial.
    case constant(JSONValue)
    /// `{"values": [...]}` (or `"distribution": "categorical"`): one of the listed values.
    case categorical([JSONValue])
    /// `uniform`: a real number in [min, max).
    case uniform(minimum: Double, maximum: Double)
    /// `int_uniform`: a whole number in [min, max], both ends included.
    case integerUniform(minimum: Int, maximum: Int)
    /// `log_uniform_values`: a real number whose logarithm is uniform, for rates spanning decades.
    case logUniform(minimum: Double, maximum: Double)
    /// `q_uniform`: a multiple of `step` in [min, max], both ends included.
    case quantizedUniform(minimum: Double, maximum: Double, step: Double)

    /// The file's name for the distribution, for messages.
    public var name: String {
        switch self {
        case .constant: return "value"
        case .categorical: return "categorical"
        case .uniform: return "uniform"
        case .integerUniform: return "int_uniform"
        case .logUniform: return "log_uniform_values"
        case .quantizedUniform: return "q_uniform"
        }
    }

    /// How many values it can take, or nil for a continuous distribution.
    public var valueCount: Int? {
        switch self {
        case .constant: return 1
        case .categorical(let values): return values.count
        case .uniform, .logUniform: return nil
        case .integerUniform(let minimum, let maximum): return maximum - minimum + 1
        case .quantizedUniform(let minimum, let maximum, let step):
            let range = Self.stepRange(minimum: minimum, maximum: maximum, step: step)
            return range.upperBound - range.lowerBound + 1
        }
    }

    /// The `index`-th of its values in increasing (or listed) order; nil for continuous ones.
    public func value(at index: Int) -> JSONValue? {
        guard let count = valueCount, index >= 0, index < count else { return nil }
        switch self {
        case .constant(let value): return value
        case .categorical(let values): return values[index]
        case .uniform, .logUniform: return nil
        case .integerUniform(let minimum, _): return .number(Double(minimum + index))
        case .quantizedUniform(let minimum, let maximum, let step):
            let first = Self.stepRange(minimum: minimum, maximum: maximum, step: step).lowerBound
            return .number(Self.multiple(first + index, of: step))
        }
    }

    /// A value drawn with `generator`.
    public func sample(using generator: inout SearchRandom) -> JSONValue {
        switch self {
        case .constant(let value):
            return value
        case .categorical(let values):
            return values[generator.nextInteger(below: values.count)]
        case .uniform(let minimum, let maximum):
            return .number(minimum + generator.nextUnitInterval() * (maximum - minimum))
        case .integerUniform(let minimum, let maximum):
            return .number(Double(minimum + generator.nextInteger(below: maximum - minimum + 1)))
        case .logUniform(let minimum, let maximum):
            let low = log(minimum), high = log(maximum)
            let value = exp(low + generator.nextUnitInterval() * (high - low))
            return .number(Swift.min(Swift.max(value, minimum), maximum))
        case .quantizedUniform:
            let count = valueCount ?? 1
            return value(at: generator.nextInteger(below: count)) ?? .null
        }
    }

    /// True when `value` is one this distribution can produce (used by tests and journal checks).
    public func contains(_ value: JSONValue) -> Bool {
        switch self {
        case .constant(let constant): return value == constant
        case .categorical(let values): return values.contains(value)
        case .uniform(let minimum, let maximum):
            guard case .number(let number) = value else { return false }
            return number >= minimum && number < maximum
        case .logUniform(let minimum, let maximum):
            guard case .number(let number) = value else { return false }
            return number >= minimum && number <= maximum
        case .integerUniform(let minimum, let maximum):
            guard case .number(let number) = value, number == number.rounded() else { return false }
            return number >= Double(minimum) && number <= Double(maximum)
        case .quantizedUniform(let minimum, let maximum, let step):
            guard case .number(let number) = value else { return false }
            let index = (number / step).rounded()
            return number >= minimum - 1e-12 && number <= maximum + 1e-12
                && abs(Self.multiple(Int(index), of: step) - number) <= 1e-12 * Swift.max(1, abs(number))
        }
    }

    /// The multiples k of `step` with min <= k*step <= max (a small tolerance absorbs the
    /// rounding of decimal steps such as 0.1).
    static func stepRange(minimum: Double, maximum: Double, step: Double) -> ClosedRange<Int> {
        let first = Int((minimum / step - 1e-9).rounded(.up))
        let last = Int((maximum / step + 1e-9).rounded(.down))
        return first...Swift.max(first, last)
    }

    /// `index * step`, rounded to the decimals of `step` so 3 * 0.1 is written 0.3.
    static func multiple(_ index: Int, of step: Double) -> Double {
        let raw = Double(index) * step
        var scale = 1.0
        for _ in 0..<15 {
            let scaled = step * scale
            if abs(scaled - scaled.rounded()) <= 1e-9 * scaled { break }
            scale *= 10
        }
        return (raw * scale).rounded() / scale
    }
}
