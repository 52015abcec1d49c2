/// How one run trains, apart from the model's shape and the data: the run file's optimisation keys.
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var batchSize = 64
    public var epochs = 20
    public var learningRate: Double = 1e-3
    public var weightDecay: Double = 0
    /// Gradient-norm clipping threshold; nil turns clipping off.
    public var clipNorm: Double? = 5.0
    /// ReduceLROnPlateau on the validation loss.
    public var plateauFactor: Double = 0.1
    public var plateauPatience = 10
    public var seed: UInt64 = 0
    public var threads = 1
    /// The metric that picks the best checkpoint, e.g. `val_f1_macro` or `val_loss`.
    public var metric = "val_f1_macro"

    public init() {}

    /// Throws a readable error naming the first setting out of range.
    public func validate() throws(TrainingError) {
        func require(_ condition: Bool, _ field: String, _ message: String) throws(TrainingError) {
            if !condition { throw TrainingError.invalidSetting(field: field, message: message) }
        }
        try require(batchSize >= 2, "batch_size", "must be at least 2 (BatchNorm needs two samples), got \(batchSize)")
        try require(epochs >= 0, "epochs", "must not be negative, got \(epochs)")
        try require(learningRate > 0 && learningRate.isFinite, "lr", "must be positive, got \(learningRate)")
        try require(weightDecay >= 0, "weight_decay", "must not be negative, got \(weightDecay)")
        if let clipNorm { try require(clipNorm > 0, "clip_norm", "must be positive (or null for no clipping), got \(clipNorm)") }
        try require(plateauFactor > 0 && plateauFactor < 1, "plateau.factor", "must be in (0, 1), got \(plateauFactor)")
        try require(plateauPatience >= 0, "plateau.patience", "must not be negative, got \(plateauPatience)")
        try require(threads >= 1, "threads", "must be at least 1, got \(threads)")
        try require(EpochMetrics.isKnown(metric), "metric",
                    "'\(metric)' is not a metric the trainer reports; use one of \(EpochMetrics.knownNames.joined(separator: ", "))")
    }
}

/// Errors a training run reports to the person who started it.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case invalidSetting(field: String, message: String)
    case data(String)
    case checkpoint(String)
    case diverged(epoch: Int, message: String)

    public var description: String {
        switch self {
        case .invalidSetting(let field, let message): return "setting '\(field)' \(message)"
        case .data(let message): return message
        case .checkpoint(let message): return message
        case .diverged(let epoch, let message): return "training diverged in epoch \(epoch): \(message)"
        }
    }
}
