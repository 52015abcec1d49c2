import FileFormats

/// A trial's hyperparameters: top-level keys of its run file and their values.
public typealias TrialParameters = [String: JSONValue]

extension Dictionary where Key == String, Value == JSONValue {
    /// The parameters as canonical JSON, equal for equal configurations.
    public var canonicalText: String { JSONValue.object(self).canonicalText }
}

/// Chooses the configuration of a new trial from its number alone (plus, for de-duplication,
/// the configurations already tried), so resuming a study never shifts what later trials get.
public protocol ParameterSampler: Sendable {
    /// The parameters of trial `number`, or nil when the space has no configuration left that is
    /// not among `used` (the canonical texts of earlier trials' parameters).
    func parameters(forTrial number: Int, excluding used: Set<String>) -> TrialParameters?
}

extension SearchDefinition {
    /// The sampler the method calls for: the grid in order for `grid`, seeded random otherwise.
    public func makeSampler(seed: Int) -> any ParameterSampler {
        method == .grid ? GridSampler(parameters: parameters) : RandomSampler(parameters: parameters, seed: seed)
    }
}
