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
        let x = input.pointer
        let y = output.pointer
        for index in 0..<input.count { y[index] = max(x[index], 0) }
        return output
    }

    /// dInput = dOutput where the output was positive, else 0.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        dInput.resize(to: dOutput.shape)
        let y = output.pointer
        let dy = dOutput.pointer
        let dx = dInput.pointer
        for index in 0..<dOutput.count { dx[index] = y[index] > 0 ? dy[index] : 0 }
        return dInput
    }
}
