import FileFormats

/// Seeded random configurations: trial n's parameters come from a generator derived from the
/// study seed and n alone (never from a generator carried across trials, optuna #3255).
///
/// A draw equal to an earlier trial's configuration is redrawn from the trial's next generator
/// (attempt 1, 2, ...); when the space is discrete and small and the redraws keep colliding, the
/// trial takes one of the unused configurations, and when none is left the sampler returns nil.
public struct RandomSampler: ParameterSampler {
    public let parameters: [SearchParameter]
    public let seed: Int

    /// Redraws before falling back to enumerating the unused configurations.
    static let redrawLimit = 64

    public init(parameters: [SearchParameter], seed: Int) {
        self.parameters = parameters.sorted { $0.name < $1.name }
        self.seed = seed
    }

    /// Looks at the trial number alone: the study's results do not change what it draws.
    public func sample(trial number: Int, study: StudySnapshot, metric: SearchMetric, excluding used: Set<String>) -> SamplerAnswer {
        parameters(forTrial: number, excluding: used).map(SamplerAnswer.parameters) ?? .exhausted
    }

    public func parameters(forTrial number: Int, excluding used: Set<String> = []) -> TrialParameters? {
        for attempt in 0..<Self.redrawLimit {
            var generator = SearchRandom(seed: seed, trialNumber: number, stream: .parameters, attempt: attempt)
            let candidate = draw(using: &generator)
            if !used.contains(candidate.canonicalText) { return candidate }
        }
        return unusedConfiguration(forTrial: number, excluding: used)
    }

    /// One value per parameter, in name order; a conditional parameter's value is drawn too (so
    /// the others' draws do not depend on conditions) and dropped where its condition fails.
    private func draw(using generator: inout SearchRandom) -> TrialParameters {
        var result: TrialParameters = [:]
        for parameter in parameters {
            result[parameter.name] = parameter.distribution.sample(using: &generator)
        }
        return parameters.applicable(to: result)
    }

    /// A uniformly chosen configuration not in `used`, for a small discrete space; nil when the
    /// space is exhausted (or too large to enumerate, where 64 collisions in a row mean it nearly is).
    private func unusedConfiguration(forTrial number: Int, excluding used: Set<String>) -> TrialParameters? {
        let grid = GridSampler(parameters: parameters)
        guard grid.count <= SearchDefinition.gridLimit else { return nil }
        var unused: [TrialParameters] = []
        var seen = used  // conditions can make two combinations the same configuration
        for index in 0..<grid.count {
            if let candidate = grid.parameters(forTrial: index).map(parameters.applicable),
               seen.insert(candidate.canonicalText).inserted {
                unused.append(candidate)
            }
        }
        guard !unused.isEmpty else { return nil }
        var generator = SearchRandom(seed: seed, trialNumber: number, stream: .parameters, attempt: Self.redrawLimit)
        return unused[generator.nextInteger(below: unused.count)]
    }
}
