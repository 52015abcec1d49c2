import Tensor

/// max(0, x) elementwise, any shape.
public final class ReLU {
    /// The last forward pass's result.
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient.
    public let dInput = Tensor(shape: [0])

    public init() {}

    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        output.resize(to: input.shape)
        VectorKernels.relu(input.pointer, output.pointer, count: input.count)
        return output
    }

    /// dInput = dOutput where the output was positive, else 0.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        dInput.resize(to: dOutput.shape)
        VectorKernels.reluBackward(output: output.pointer, dOutput: dOutput.pointer, dInput: dInput.pointer,
                                   count: dOutput.count)
        return dInput
    }
}
