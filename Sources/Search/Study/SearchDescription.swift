/// What ran, in words, for `tune status` and the report (one home, so they never disagree).
extension SearchScheduler {
    /// How new trials were chosen.
    public var samplerDescription: String {
        switch definition.sampler {
        case .random: return "seeded random configurations"
        case .grid: return "every combination of the listed values"
        case .tpe:
            let options = definition.tpeOptions
            let share = options.randomShare(scheduler: definition.scheduler)
            var parts = ["TPE as Optuna's TPESampler (\(options.multivariate ? "multivariate" : "one estimator per parameter")"
                         + ", \(options.startupTrials) random start-up trials, \(options.candidates) candidates, prior weight \(FlatNumber.text(options.priorWeight)))",
                         "trial t's model sees the results of trials below t - \(options.lag), waiting until they are final"]
            if definition.scheduler.halves {
                parts.append("fitted at the highest rung with at least one more result than there are parameters (BOHB)")
            }
            if share > 0 { parts.append("\(FlatNumber.text(share * 100, digits: 0)) % of model-based trials drawn at random instead") }
            return parts.joined(separator: "; ")
        }
    }

    /// How far trials were trained.
    public var schedulerDescription: String {
        switch definition.scheduler {
        case .none: return "every trial trained to the full budget"
        case .sha: return "synchronous successive halving (a rung promotes once all its trials reported)"
        case .asha:
            return isDeterministic
                ? "asynchronous successive halving, promotions decided in trial-number order"
                : "asynchronous successive halving, promotions decided in completion order"
        case .hyperband: return "hyperband: brackets of successive halving starting at different rungs"
        }
    }

    /// Whether the same search file and seed give the same trials at any `--parallel`.
    public var determinismNote: String {
        isDeterministic
            ? "Deterministic: the same search file and seed give the same trials and leaderboard whatever `--parallel` is and however often the search was interrupted."
            : "Not deterministic: promotions depend on which trials happened to finish first, so a rerun with the same seed may differ."
    }
}

/// Short decimal text for descriptions: 1, 0.5, 33.
enum FlatNumber {
    static func text(_ value: Double, digits: Int = 3) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.\(digits)f", value)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text
    }
}
