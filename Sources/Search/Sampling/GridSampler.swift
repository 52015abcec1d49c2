import FileFormats

/// Every combination of the parameters' values, trial n taking the n-th in a fixed order: the
/// parameters sorted by name, the last one varying fastest (as `itertools.product`).
public struct GridSampler: ParameterSampler {
    public let parameters: [SearchParameter]
    /// The number of combinations.
    public let count: Int

    /// A grid over `parameters`, which must all be discrete (`SearchDefinition` checks this).
    public init(parameters: [SearchParameter]) {
        self.parameters = parameters.sorted { $0.name < $1.name }
        var count = 1
        for parameter in self.parameters {
            let (product, overflow) = count.multipliedReportingOverflow(by: parameter.distribution.valueCount ?? 0)
            count = overflow ? Int.max : product
        }
        self.count = count
    }

    /// The `number`-th combination; nil past the end of the grid. `used` is ignored: the grid
    /// has no repeats.
    /// Looks at the trial number alone: the study's results do not change what it draws.
    public func sample(trial number: Int, study: StudySnapshot, metric: SearchMetric, excluding used: Set<String>) -> SamplerAnswer {
        parameters(forTrial: number, excluding: used).map(SamplerAnswer.parameters) ?? .exhausted
    }

    public func parameters(forTrial number: Int, excluding used: Set<String> = []) -> TrialParameters? {
        guard number >= 0, number < count else { return nil }
        var remainder = number
        var result: TrialParameters = [:]
        for parameter in parameters.reversed() {
            let valueCount = parameter.distribution.valueCount ?? 1
            guard let value = parameter.distribution.value(at: remainder % valueCount) else { return nil }
            result[parameter.name] = value
            remainder /= valueCount
        }
        return result
    }
}
