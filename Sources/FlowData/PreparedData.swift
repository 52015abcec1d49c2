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
