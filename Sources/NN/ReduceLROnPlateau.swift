/// Lowers the learning rate when a metric stops improving, as
/// `torch.optim.lr_scheduler.ReduceLROnPlateau`. Its whole state is Codable for checkpoints.
public struct ReduceLROnPlateau: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable { case min, max }
    public enum ThresholdMode: String, Codable, Sendable { case rel, abs }

    public var mode: Mode = .min
    public var factor: Double = 0.1
    public var patience: Int = 10
    public var threshold: Double = 1e-4
    public var thresholdMode: ThresholdMode = .rel
    public var cooldown: Int = 0
    public var minimumLearningRate: Double = 0
    /// The smallest change of learning rate that is applied.
    public var epsilon: Double = 1e-8

    /// The best metric so far (±infinity before the first step).
    public private(set) var best: Double
    public private(set) var badEpochs = 0
    public private(set) var cooldownCounter = 0
    public private(set) var lastEpoch = 0

    public init(mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                thresholdMode: ThresholdMode = .rel, cooldown: Int = 0, minimumLearningRate: Double = 0) {
        precondition(factor < 1, "ReduceLROnPlateau factor must be below 1")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        best = mode == .min ? Double.infinity : -Double.infinity
    }

    /// Records one epoch's metric and returns the learning rate to use next.
    public mutating func step(metric: Double, learningRate: Double) -> Double {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return learningRate }
        cooldownCounter = cooldown
        badEpochs = 0
        let reduced = max(learningRate * factor, minimumLearningRate)
        return learningRate - reduced > epsilon ? reduced : learningRate
    }

    private func isBetter(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): return metric < best * (1 - threshold)
        case (.min, .abs): return metric < best - threshold
        case (.max, .rel): return metric > best * (1 + threshold)
        case (.max, .abs): return metric > best + threshold
        }
    }
}
