import Tensor

/// Inverted dropout, as `torch.nn.Dropout(p)`: in training each value is zeroed with probability p
/// and the rest scaled by 1 / (1 - p); in evaluation (or with p = 0) the input passes unchanged.
/// The mask comes from the caller's seeded generator, so a run is reproducible and resumable.
public final class Dropout {
    public let probability: Float

    /// The last forward pass's result (the input itself when inactive).
    public private(set) var output = Tensor(shape: [0])
    private let maskedOutput = Tensor(shape: [0])
    private let mask = Tensor(shape: [0])  // same shape as the input: 0 or 1 / (1 - p)
    /// The last backward pass's input gradient.
    public let dInput = Tensor(shape: [0])
    private var active = false

    public init(probability: Float) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        self.probability = probability
    }

    @discardableResult
    public func forward(_ input: Tensor, training: Bool, generator: inout SeededGenerator) -> Tensor {
        active = training && probability > 0
        guard active else {
            output = input
            return input
        }
        mask.resize(to: input.shape)
        maskedOutput.resize(to: input.shape)
        // One draw per value, in order: the same stream as nextUnitFloat() per value.
        generator.dropout(probability: probability, scale: 1 / (1 - probability), input: input.pointer,
                          mask: mask.pointer, output: maskedOutput.pointer, count: input.count)
        output = maskedOutput
        return maskedOutput
    }

    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        guard active else { return dOutput }
        dInput.resize(to: dOutput.shape)
        let m = mask.pointer
        let dy = dOutput.pointer
        let dx = dInput.pointer
        for index in 0..<dOutput.count { dx[index] = dy[index] * m[index] }
        return dInput
    }
}
