import Foundation
import FileFormats

/// One searched parameter as the Parzen estimator sees it, in Optuna's internal representation:
/// a categorical parameter is the index of its value; a number is itself (its logarithm for the
/// kernels of a log-scaled one); whole numbers and stepped ones are discrete, with `step`.
struct TPEDimension: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `count` unordered choices.
        case categorical(count: Int)
        /// A number in [low, high]: `step` 0 for a real number, else the spacing of the allowed
        /// values (1 for an integer); `isLogarithmic` when the kernels live on log(x).
        case numerical(low: Double, high: Double, step: Double, isLogarithmic: Bool)
    }

    var name: String
    var kind: Kind
    var distribution: ParameterDistribution
    /// The trials it exists in, if not all.
    var condition: ParameterCondition?

    init(name: String, kind: Kind, distribution: ParameterDistribution, condition: ParameterCondition? = nil) {
        self.name = name
        self.kind = kind
        self.distribution = distribution
        self.condition = condition
    }

    /// The dimension of a searched parameter, nil for a constant (nothing to model).
    init?(_ parameter: SearchParameter) {
        name = parameter.name
        distribution = parameter.distribution
        condition = parameter.condition
        switch parameter.distribution {
        case .constant:
            return nil
        case .categorical(let values):
            kind = .categorical(count: values.count)
        case .uniform(let minimum, let maximum):
            kind = .numerical(low: minimum, high: maximum, step: 0, isLogarithmic: false)
        case .logUniform(let minimum, let maximum):
            kind = .numerical(low: minimum, high: maximum, step: 0, isLogarithmic: true)
        case .integerUniform(let minimum, let maximum):
            kind = .numerical(low: Double(minimum), high: Double(maximum), step: 1, isLogarithmic: false)
        case .quantizedUniform(let minimum, let maximum, let step):
            let range = ParameterDistribution.stepRange(minimum: minimum, maximum: maximum, step: step)
            kind = .numerical(low: ParameterDistribution.multiple(range.lowerBound, of: step),
                              high: ParameterDistribution.multiple(range.upperBound, of: step),
                              step: step, isLogarithmic: false)
        }
    }

    /// A trial's value in the internal representation; nil when it is not one of this
    /// parameter's values (a journal written with another search file).
    func internalValue(of value: JSONValue) -> Double? {
        switch distribution {
        case .constant:
            return nil
        case .categorical(let values):
            return values.firstIndex(of: value).map(Double.init)
        case .uniform, .logUniform, .integerUniform, .quantizedUniform:
            guard case .number(let number) = value, number.isFinite else { return nil }
            return number
        }
    }

    /// The parameter value for an internal value the estimator drew.
    func externalValue(of value: Double) -> JSONValue {
        switch distribution {
        case .constant(let constant):
            return constant
        case .categorical(let values):
            return values[min(max(Int(value), 0), values.count - 1)]
        case .uniform(let minimum, let maximum):
            return .number(min(max(value, minimum), maximum.nextDown))  // [min, max)
        case .logUniform(let minimum, let maximum):
            return .number(min(max(value, minimum), maximum))
        case .integerUniform:
            return .number(value.rounded())
        case .quantizedUniform(_, _, let step):
            return .number(ParameterDistribution.multiple(Int((value / step).rounded()), of: step))
        }
    }
}
