import Foundation
import FileFormats

/// Tree-structured Parzen estimators (Bergstra et al. 2011), as Optuna's TPESampler: the
/// results in view are split into the best gamma(n) = min(ceil(0.1 n), 25) and the rest, each
/// side becomes a Parzen estimator, and of `n_ei_candidates` draws from the good side's the one
/// with the highest log l(x) - log g(x) is tried. Until `n_startup_trials` results are in view,
/// and for BOHB's random share, trials are drawn as `RandomSampler` draws them.
///
/// Unlike Optuna, the view is fixed by the trial number (`ModelView`): the sampler answers
/// `.wait` until it is complete, so the search's trials never depend on timing.
public struct TPESampler: ParameterSampler {
    /// The parameters sorted by name.
    public let parameters: [SearchParameter]
    public let seed: Int
    public let options: TPEOptions
    /// The share of model-based trials drawn at random.
    public let randomShare: Double
    let dimensions: [TPEDimension]
    let view: ModelView
    let random: RandomSampler
    /// The answers already worked out, by trial and view: a coordinator asks for the same trial
    /// several times while its view stays the same.
    let answers = ModelAnswerCache()

    /// Redraws of the candidates before a configuration already tried gives way to a random one.
    static let redrawLimit = 8

    public init(definition: SearchDefinition, seed: Int) {
        parameters = definition.parameters.sorted { $0.name < $1.name }
        self.seed = seed
        options = definition.tpeOptions
        randomShare = options.randomShare(scheduler: definition.scheduler)
        dimensions = parameters.compactMap(TPEDimension.init)
        view = ModelView(definition: definition, requiredResults: dimensions.count + 1, lag: options.lag)
        random = RandomSampler(parameters: parameters, seed: seed)
    }

    public func sample(trial number: Int, study: StudySnapshot, metric: SearchMetric, excluding used: Set<String>) -> SamplerAnswer {
        let randomAnswer = random.parameters(forTrial: number, excluding: used).map(SamplerAnswer.parameters) ?? .exhausted
        let visible = number - options.lag
        guard visible >= options.startupTrials, !drawsAtRandom(trial: number) else { return randomAnswer }
        guard case .ready(_, let observations) = view.observe(study, trial: number) else { return .wait }
        guard observations.count >= options.startupTrials else { return randomAnswer }
        let key = ModelAnswerCache.Key(trial: number, view: ModelAnswerCache.digest(observations, in: study))
        if let known = answers.answer(for: key) { return known.map(SamplerAnswer.parameters) ?? randomAnswer }
        let (below, above) = Self.split(observations, metric: metric, belowCount: Self.gamma(observations.count))
        let chosen = choose(trial: number, study: study, below: below, above: above, excluding: used)
        answers.store(chosen, for: key)
        return chosen.map(SamplerAnswer.parameters) ?? randomAnswer
    }

    /// BOHB's random share, decided by the trial's own generator.
    func drawsAtRandom(trial number: Int) -> Bool {
        guard randomShare > 0 else { return false }
        var generator = SearchRandom(seed: seed, trialNumber: number, stream: .samplerChoice)
        return generator.nextUnitInterval() < randomShare
    }

    /// Optuna's `default_gamma`: how many observations count as good.
    static func gamma(_ count: Int) -> Int {
        min(Int((0.1 * Double(count)).rounded(.up)), 25)
    }

    /// Optuna's `_split_trials`: the best of the trials that reached the rung are good; if fewer
    /// than `belowCount` did, trials stopped lower fill the good side, those that got further
    /// first, then by value. Both sides come back in trial-number order.
    static func split(_ observations: [ModelView.Observation], metric: SearchMetric, belowCount: Int)
        -> (below: [ModelView.Observation], above: [ModelView.Observation]) {
        let reached = observations.filter(\.reachedRung).sorted { left, right in
            metric.ranksAbove(left.value, number: left.number, right.value, number: right.number)
        }
        let stopped = observations.filter { !$0.reachedRung }.sorted { left, right in
            if left.epochs != right.epochs { return left.epochs > right.epochs }
            return metric.ranksAbove(left.value, number: left.number, right.value, number: right.number)
        }
        let reachedBelow = min(belowCount, reached.count)
        let stoppedBelow = min(max(0, belowCount - reachedBelow), stopped.count)
        let below = reached.prefix(reachedBelow) + stopped.prefix(stoppedBelow)
        let above = reached.dropFirst(reachedBelow) + stopped.dropFirst(stoppedBelow)
        return (below.sorted { $0.number < $1.number }, above.sorted { $0.number < $1.number })
    }

    /// The model's configuration for trial `number`: per parameter (or jointly, `multivariate`),
    /// the best of the candidates; redrawn if it was tried already. Nil after `redrawLimit` repeats.
    func choose(trial number: Int, study: StudySnapshot, below: [ModelView.Observation], above: [ModelView.Observation],
                excluding used: Set<String>) -> TrialParameters? {
        let estimators = Self.groups(dimensions, options: options).map { group in
            (group: group,
             good: ParzenEstimator(observations: Self.rows(below, of: group, in: study), dimensions: group, settings: options.parzen),
             bad: ParzenEstimator(observations: Self.rows(above, of: group, in: study), dimensions: group, settings: options.parzen))
        }
        var constants: TrialParameters = [:]
        for parameter in parameters {
            if case .constant(let value) = parameter.distribution { constants[parameter.name] = value }
        }
        for attempt in 0..<Self.redrawLimit {
            var generator = SearchRandom(seed: seed, trialNumber: number, stream: .modelCandidates, attempt: attempt)
            var chosen = constants
            for estimator in estimators {
                if let condition = estimator.group.first?.condition, !condition.holds(for: chosen) { continue }
                let candidates = estimator.good.sample(count: options.candidates, using: &generator)  // (candidates, group)
                let best = Self.bestCandidate(candidates, good: estimator.good, bad: estimator.bad)
                for (index, dimension) in estimator.group.enumerated() {
                    chosen[dimension.name] = dimension.externalValue(of: candidates[best][index])
                }
            }
            if !used.contains(chosen.canonicalText) { return chosen }
        }
        return nil
    }

    /// The parameters sampled jointly, unconditional ones first: with `multivariate` and `group`,
    /// those that occur in the same trials (the same condition) together; with `multivariate`
    /// alone, the parameters every trial has together and each conditional one by itself
    /// (Optuna's intersection search space); otherwise each by itself.
    static func groups(_ dimensions: [TPEDimension], options: TPEOptions) -> [[TPEDimension]] {
        let unconditional = dimensions.filter { $0.condition == nil }
        let conditional = dimensions.filter { $0.condition != nil }
        guard options.multivariate else { return (unconditional + conditional).map { [$0] } }
        var groups = unconditional.isEmpty ? [] : [unconditional]
        guard options.group else { return groups + conditional.map { [$0] } }
        var byCondition: [String: [TPEDimension]] = [:]
        for dimension in conditional { byCondition[dimension.condition?.text ?? "", default: []].append(dimension) }
        groups += byCondition.keys.sorted().compactMap { byCondition[$0] }
        return groups
    }

    /// The index of the candidate with the highest log l(x) - log g(x) (the first of equals).
    static func bestCandidate(_ candidates: [[Double]], good: ParzenEstimator, bad: ParzenEstimator) -> Int {
        var best = 0, bestScore = -Double.infinity
        for (index, candidate) in candidates.enumerated() {
            let score = good.logDensity(candidate) - bad.logDensity(candidate)
            if score > bestScore {
                best = index
                bestScore = score
            }
        }
        return best
    }

    /// The observed trials' values of `group`'s parameters, in internal representation; a trial
    /// with a value outside the space is left out.
    static func rows(_ observations: [ModelView.Observation], of group: [TPEDimension], in study: StudySnapshot) -> [[Double]] {
        observations.compactMap { observation in
            let parameters = study.trials[observation.number].parameters
            var row: [Double] = []
            for dimension in group {
                guard let value = parameters[dimension.name].flatMap(dimension.internalValue) else { return nil }
                row.append(value)
            }
            return row
        }
    }
}
