import Foundation

/// What one benchmark run (one configuration on one seed) measured.
public struct VariantBenchmarkRun: Sendable, Equatable {
    /// The configuration's label (e.g. `lstm`) and its position in the plan.
    public var configuration: String
    public var configurationIndex: Int
    public var seed: UInt64
    /// The run folder (checkpoints, `run.json`, `epochs.jsonl`).
    public var output: URL
    public var epochsTrained: Int
    /// The epoch whose metrics are reported: the best by the search metric (the first of equals).
    public var bestEpoch: Int
    /// Every flat metric of the best epoch (`val_f1_macro`, `test_accuracy`, `train_loss`, ...).
    public var metrics: [String: Double]
    /// Samples trained over all epochs, and the seconds spent on them (shuffling, forward,
    /// backward, clipping and Adam; no evaluation, no checkpoints).
    public var trainingSamples: Int
    public var trainingSeconds: Double
    /// Seconds of each timed inference batch, in the order measured.
    public var latency: VariantBenchmarkLatency
    /// Trainable parameters of the model, as its `ParameterStore` counts them.
    public var parameterCount: Int
    /// Seconds from the start of training to the last checkpoint (data loading and the latency
    /// measurement excluded).
    public var wallSeconds: Double

    /// Training throughput: samples per second of training time.
    public var trainingSamplesPerSecond: Double {
        trainingSeconds > 0 ? Double(trainingSamples) / trainingSeconds : 0
    }
}
