import Tensor

/// Max pooling along the sequence with stride equal to the kernel size, as `torch.nn.MaxPool1d(k)`,
/// on channels-last activations: input (N, L, C) -> output (N, L / k, C) (a ragged tail is dropped).
/// Ties go to the first position, as in PyTorch, which matters after ReLU's zeros; NaN wins.
public final class MaxPool1d {
    public let kernelSize: Int

    /// The last forward pass's result, (N, L / k, C).
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient, (N, L, C).
    public let dInput = Tensor(shape: [0])
    /// (N, L / k, C): the window position that won, as a Float for the vector kernels.
    private let winners = Tensor(shape: [0])
    private var inputShape: [Int] = []

    public init(kernelSize: Int) {
        precondition(kernelSize >= 1)
        self.kernelSize = kernelSize
    }

    /// input (N, L, C) -> output (N, L / k, C).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 3, "MaxPool1d expects (N, L, C), got \(input.shape)")
        inputShape = input.shape
        let (batch, length, channels) = (input.shape[0], input.shape[1], input.shape[2])
        let pooled = length / kernelSize
        output.resize(to: [batch, pooled, channels])
        winners.resize(to: [batch, pooled, channels])
        PoolingKernels.maximumForward(batch: batch, length: length, channels: channels, kernelSize: kernelSize,
                                      x: input.pointer, y: output.pointer, winners: winners.pointer)
        return output
    }

    /// dOutput (N, L / k, C) -> dInput (N, L, C): each gradient goes to the window's winner.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        let (batch, length, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let pooled = length / kernelSize
        precondition(dOutput.count == batch * pooled * channels, "MaxPool1d.backward: gradient shape \(dOutput.shape)")
        dInput.resize(to: inputShape)
        PoolingKernels.maximumBackward(batch: batch, length: length, channels: channels, kernelSize: kernelSize,
                                       dy: dOutput.pointer, winners: winners.pointer, dx: dInput.pointer)
        return dInput
    }
}
