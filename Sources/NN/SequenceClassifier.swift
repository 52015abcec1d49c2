import Tensor

/// A model the trainer, the predictor and the benchmarks can drive without knowing its layers:
/// a batch of sequences (N, C, L) in, class logits (N, K) out, every weight in one store.
public protocol SequenceClassifier: AnyObject {
    /// The shape the model was built for (its run-file settings, input channels and classes).
    var configuration: ModelConfiguration { get }
    /// Every parameter, gradient and buffer, flat, named like PyTorch's `state_dict`.
    var parameters: ParameterStore { get }

    /// PyTorch's default initialisation of every layer, drawn from a generator seeded with `seed`.
    func resetParameters(seed: UInt64)

    /// Throws unless `shape` is an input the model accepts, in training or evaluation mode.
    func checkInput(shape: [Int], training: Bool) throws(ModelError)

    /// input (N, C, L) -> logits (N, K). Training mode uses batch statistics and dropout (masks
    /// drawn from `generator`); evaluation mode uses running statistics and no dropout.
    @discardableResult
    func forward(_ input: Tensor, training: Bool, generator: inout SeededGenerator) throws(ModelError) -> Tensor

    /// dLogits (N, K) -> every parameter gradient of the last forward pass (accumulated; zero
    /// them before each step).
    func backward(_ dLogits: Tensor)
}
