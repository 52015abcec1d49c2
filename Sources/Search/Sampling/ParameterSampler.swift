import FileFormats

/// A trial's hyperparameters: top-level keys of its run file and their values.
public typealias TrialParameters = [String: JSONValue]

extension Dictionary where Key == String, Value == JSONValue {
    /// The parameters as canonical JSON, equal for equal configurations.
    public var canonicalText: String { JSONValue.object(self).canonicalText }
}

/// What a sampler says about the next new trial.
public enum SamplerAnswer: Sendable, Equatable {
    /// Start it with these parameters.
    case parameters(TrialParameters)
    /// Not yet: the sampler decides from results still to come (a model-based sampler deciding
    /// from a fixed view of the study, so that timing cannot change its choice).
    case wait
    /// The space has no configuration left that is not among the used ones.
    case exhausted
}

/// Chooses the configuration of a new trial. A sampler is a pure function of what it is given,
/// so a resumed study never shifts what later trials get: random and grid sampling look at the
/// trial number alone (plus the used configurations, for de-duplication); a model-based sampler
/// may look at the study's results.
public protocol ParameterSampler: Sendable {
    /// The parameters of new trial `number` in `study` (whose trials are numbered below it),
    /// searched for `metric`; `used` holds the canonical texts of the configurations tried.
    func sample(trial number: Int, study: StudySnapshot, metric: SearchMetric, excluding used: Set<String>) -> SamplerAnswer
}

/// The samplers a search file can name (`"sampler"`).
public enum SamplerKind: String, Sendable, CaseIterable {
    /// Seeded random configurations (`RandomSampler`).
    case random
    /// Every combination of the listed values, in order (`GridSampler`).
    case grid
    /// Tree-structured Parzen estimators, as Optuna's TPESampler (`TPESampler`).
    case tpe
}

extension SearchDefinition {
    /// The sampler the search file names, for a study seeded with `seed`.
    public func makeSampler(seed: Int) -> any ParameterSampler {
        switch sampler {
        case .grid: return GridSampler(parameters: parameters)
        case .random: return RandomSampler(parameters: parameters, seed: seed)
        case .tpe: return TPESampler(definition: self, seed: seed)
        }
    }
}
