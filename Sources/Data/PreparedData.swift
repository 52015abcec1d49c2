import Tensor

/// Everything a training run needs from the data layer: the three splits as `(N, C, L)`
/// float32 samples with class indices, the class and feature names, the fitted preprocessing
/// (to store in checkpoints) and what cleaning did.
public struct PreparedData: Sendable {
    public var train: SampleSet
    public var validation: SampleSet
    public var test: SampleSet?
    /// Class names; a label `k` means `classNames[k]`.
    public var classNames: [String]
    /// The F feature names (along L for the `features` layout, along C for `window` and npy channels).
    public var featureNames: [String]
    /// The fitted preprocessing, to prepare prediction input the same way.
    public var pipeline: FeaturePipeline
    public var summary: CleaningSummary
    /// Which records form the validation samples, and their labels (`SplitFingerprint`): equal
    /// for two runs exactly when they validate on the same data.
    public var validationFingerprint: String
    /// The same for the test samples, when there are any.
    public var testFingerprint: String?

    /// The scaler fitted on the training part.
    public var scaler: Scaler { pipeline.scaler }

    /// String metadata for a checkpoint (safetensors `__metadata__`): the whole pipeline as JSON
    /// under `data.pipeline`, plus readable copies of the class names, feature names and scaler.
    public func preprocessingMetadata() throws -> [String: String] {
        try pipeline.metadata()
    }
}

/// Loads, cleans, splits and scales the data a spec describes. The spec's `split_seed` drives the
/// per-class cap and the validation split (the synthetic data has its own `synthetic_seed`).
public func loadDataset(_ spec: DataSpec) throws -> PreparedData {
    try spec.validate()
    switch spec.format {
    case .npy: return try NPYDataset.load(spec, seed: spec.splitSeed)
    case .cicflowmeter, .nslKDD, .unswNB15, .csv, .synthetic: return try FlowDataset.load(spec, seed: spec.splitSeed)
    }
}

/// Independent random streams for the steps that need one, derived from the split seed.
enum RandomStream: UInt64 {
    case classCap = 1
    case validationSplit = 2

    func generator(seed: UInt64) -> SeededGenerator {
        SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ rawValue)
    }
}
