import FlowData
import Foundation
import NN
import Tensor

/// A trained model loaded from a `tune train` checkpoint with everything needed to score new
/// traffic: the model config, class names and the data pipeline (encodings and scaler) stored in
/// the checkpoint's metadata.
public final class Predictor {
    public let configuration: ModelConfiguration
    public let classNames: [String]
    public let pipeline: FeaturePipeline
    private let model: any SequenceClassifier
    private let batch = Tensor(shape: [0])  // (B, C, L)

    /// Loads `path` to run with `threads` BLAS threads; a file that is not a tune checkpoint gets
    /// an error naming what is missing.
    public init(checkpoint path: String, threads: Int = 1) throws {
        BLAS.setThreadCount(threads)
        let file = try Safetensors.read(path: path)
        guard let configurationText = file.metadata["model_config"],
              let configuration = try? JSONDecoder().decode(ModelConfiguration.self, from: Data(configurationText.utf8)) else {
            throw TrainingError.checkpoint("\(path): no readable model_config in its metadata; it was not written by `tune train`")
        }
        guard let namesText = file.metadata["class_names"],
              let classNames = try? JSONDecoder().decode([String].self, from: Data(namesText.utf8)),
              classNames.count == configuration.classCount else {
            throw TrainingError.checkpoint("\(path): no readable class_names matching the model in its metadata")
        }
        self.configuration = configuration
        self.classNames = classNames
        pipeline = try FeaturePipeline(metadata: file.metadata)
        model = try configuration.makeModel()
        var weights = file.tensors
        weights = weights.filter { !$0.key.hasPrefix("__") }
        try model.parameters.load(weights, path: path)
    }

    /// The sample shape `(C, L)` the model takes.
    public var sampleShape: (channels: Int, length: Int) { (pipeline.channels, pipeline.length) }

    /// Class probabilities (N, K) of samples (N, C, L), in evaluation mode, 256 at a time.
    public func probabilities(_ samples: SampleSet) throws -> [Float] {
        let classes = configuration.classCount
        var result = [Float](repeating: 0, count: samples.count * classes)
        var start = 0
        try samples.values.withUnsafeBufferPointer { source in
            try result.withUnsafeMutableBufferPointer { target in
                guard let values = source.baseAddress, let probabilities = target.baseAddress else { return }
                while start < samples.count {
                    let size = min(256, samples.count - start)
                    try self.probabilities(
                        of: values + start * samples.sampleSize, count: size,
                        into: probabilities + start * classes)
                    start += size
                }
            }
        }
        return result
    }

    /// Class probabilities (B, K) of the `count` samples (B, C, L) at `samples`, written to
    /// `target`: one forward pass in evaluation mode, no allocation once the batch has grown.
    public func probabilities(of samples: UnsafePointer<Float>, count: Int, into target: UnsafeMutablePointer<Float>) throws {
        let (channels, length) = sampleShape
        var generator = SeededGenerator(seed: 0)  // unused in evaluation mode
        batch.resize(to: [count, channels, length])
        batch.pointer.update(from: samples, count: count * channels * length)
        let logits = try model.forward(batch, training: false, generator: &generator)  // (B, K)
        let classes = configuration.classCount
        target.update(from: logits.pointer, count: count * classes)
        Kernels.softmaxRows(target, rows: count, columns: classes)
    }
}
