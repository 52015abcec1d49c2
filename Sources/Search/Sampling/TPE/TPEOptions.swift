import FileFormats

/// The settings of the `tpe` sampler (`"sampler": {"name": "tpe", ...}` in a search file). Every
/// setting Optuna's TPESampler has takes Optuna's default and name; `lag` and `random_fraction`
/// are ours: what keeps the search deterministic under parallelism, and BOHB's random share.
public struct TPEOptions: Sendable, Equatable {
    /// Random configurations until the model's view holds this many results (`n_startup_trials`).
    public var startupTrials = 10
    /// Candidates drawn from the good trials' estimator, of which the one with the best ratio of
    /// good to bad density is kept (`n_ei_candidates`).
    public var candidates = 24
    /// One joint estimator over all parameters instead of one per parameter (Optuna 5's default
    /// for a single objective).
    public var multivariate = true
    /// With `multivariate`: one joint estimator per group of parameters that occur together
    /// (Optuna's `group`; our search files give every trial every parameter, so there is one group).
    public var group = false
    /// Kernel settings: `prior_weight`, `consider_magic_clip`, `consider_endpoints`.
    var parzen = ParzenSettings()
    /// Trial t's model sees trials numbered below t - lag, once their results are final: what a
    /// new trial is based on does not depend on which trial finished first (Optuna's constant
    /// liar does). Larger lags keep more workers busy; 0 makes every trial wait for all before it.
    public var lag = 3
    /// The share of model-based trials drawn at random instead (BOHB's 1/3 under a halving
    /// scheduler; nil means that default, 0 without a scheduler).
    public var randomFraction: Double?

    public init() {}

    public var priorWeight: Double { parzen.priorWeight }

    /// The random share actually used with `scheduler`.
    public func randomShare(scheduler: SchedulerKind) -> Double {
        randomFraction ?? (scheduler.halves ? 1.0 / 3.0 : 0)
    }

    static let keys = ["name", "n_startup_trials", "n_ei_candidates", "multivariate", "group", "prior_weight",
                       "consider_magic_clip", "consider_endpoints", "lag", "random_fraction"]

    /// Reads the options of a `"sampler"` object; every error names the field.
    init(reading reader: inout JSONObjectReader) throws(JSONFileError) {
        if let startup = try reader.integer("n_startup_trials") {
            guard startup >= 1 else { throw reader.error("n_startup_trials", "must be at least 1, not \(startup)") }
            startupTrials = startup
        }
        if let candidates = try reader.integer("n_ei_candidates") {
            guard candidates >= 1 else { throw reader.error("n_ei_candidates", "must be at least 1, not \(candidates)") }
            self.candidates = candidates
        }
        if let multivariate = try reader.bool("multivariate") { self.multivariate = multivariate }
        if let group = try reader.bool("group") { self.group = group }
        if group && !multivariate {
            throw reader.error("group", "needs \"multivariate\": true (groups are sampled jointly), as in Optuna")
        }
        if let weight = try reader.number("prior_weight") {
            guard weight > 0, weight.isFinite else { throw reader.error("prior_weight", "must be a positive number, not \(weight)") }
            parzen.priorWeight = weight
        }
        if let clip = try reader.bool("consider_magic_clip") { parzen.considerMagicClip = clip }
        if let endpoints = try reader.bool("consider_endpoints") { parzen.considerEndpoints = endpoints }
        if let lag = try reader.integer("lag") {
            guard lag >= 0, lag <= 1000 else { throw reader.error("lag", "must be a whole number from 0 to 1000, not \(lag)") }
            self.lag = lag
        }
        if let fraction = try reader.number("random_fraction") {
            guard fraction >= 0, fraction < 1 else { throw reader.error("random_fraction", "must be at least 0 and below 1, not \(fraction)") }
            randomFraction = fraction
        }
        try reader.rejectUnknownKeys(known: Self.keys)
    }
}
