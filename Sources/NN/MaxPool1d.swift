import Tensor

/// Max pooling along the sequence with stride equal to the kernel size, as `torch.nn.MaxPool1d(k)`,
/// on channels-last activations: input (N, L, C) -> output (N, L / k, C) (a ragged tail is dropped).
/// Ties go to the first position, as in PyTorch, which matters after ReLU's zeros.
public final class MaxPool1d {
    public let kernelSize: Int

    /// The last forward pass's result, (N, L / k, C).
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient, (N, L, C).
    public let dInput = Tensor(shape: [0])
    private var winners: [Int32] = []  // (N, L / k, C): the window position that won
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
        if winners.count < output.count { winners = Array(repeating: 0, count: output.count) }
        let x = input.pointer
        let y = output.pointer
        let window = kernelSize
        winners.withUnsafeMutableBufferPointer { winner in
            if window == 2 {
                // The common case, branch-free so it vectorises.
                for n in 0..<batch {
                    for l in 0..<pooled {
                        let outputRow = (n * pooled + l) * channels
                        let first = x + (n * length + 2 * l) * channels
                        let second = first + channels
                        for c in 0..<channels {
                            let takeSecond = second[c] > first[c] || second[c].isNaN
                            y[outputRow + c] = takeSecond ? second[c] : first[c]
                            winner[outputRow + c] = takeSecond ? 1 : 0
                        }
                    }
                }
                return
            }
            for n in 0..<batch {
                for l in 0..<pooled {
                    let outputRow = (n * pooled + l) * channels
                    let first = (n * length + l * window) * channels
                    for c in 0..<channels {
                        var best = x[first + c]
                        var position: Int32 = 0
                        for k in 1..<max(window, 1) {
                            let value = x[first + k * channels + c]
                            if value > best || value.isNaN { best = value; position = Int32(k) }
                        }
                        y[outputRow + c] = best
                        winner[outputRow + c] = position
                    }
                }
            }
        }
        return output
    }

    /// dOutput (N, L / k, C) -> dInput (N, L, C): each gradient goes to the window's winner.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        let (batch, length, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let pooled = length / kernelSize
        precondition(dOutput.count == batch * pooled * channels, "MaxPool1d.backward: gradient shape \(dOutput.shape)")
        dInput.resize(to: inputShape, zero: true)
        let dy = dOutput.pointer
        let dx = dInput.pointer
        let window = kernelSize
        winners.withUnsafeBufferPointer { winner in
            for n in 0..<batch {
                for l in 0..<pooled {
                    let outputRow = (n * pooled + l) * channels
                    let first = (n * length + l * window) * channels
                    for c in 0..<channels {
                        dx[first + Int(winner[outputRow + c]) * channels + c] = dy[outputRow + c]
                    }
                }
            }
        }
        return dInput
    }
}
