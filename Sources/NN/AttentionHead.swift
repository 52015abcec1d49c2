import Tensor

/// The attention head (attention variant): BatchNorm1d(y + MultiHeadSelfAttention(y)) averaged
/// over time, as the PyTorch reference. Parameters `mha.*` then `bn.*`.
final class AttentionHead: SequenceHead {
    private let attention: MultiHeadSelfAttention
    private let normalization: BatchNorm1d
    private let residual = Tensor(shape: [0])    // (N, T, D): y + MHA(y)
    private let summary = Tensor(shape: [0])     // (N, D): the time average
    private let dSequence = Tensor(shape: [0])   // (N, T, D): d(normalized)
    private let dRecurrent = Tensor(shape: [0])  // (N, T, D): dy
    private var sequenceShape: [Int] = []         // (N, T, D) of the last forward pass

    /// Registers `mha.*` and `bn.*` in `store` for a sequence of width `width`.
    init(width: Int, heads: Int, headDimension: Int, store: ParameterStore) {
        attention = MultiHeadSelfAttention(dimension: width, heads: heads, headDimension: headDimension,
                                           name: "mha", store: store)
        normalization = BatchNorm1d(features: width, name: "bn", store: store)
    }

    func resetParameters(generator: inout SeededGenerator) {
        attention.resetParameters(generator: &generator)
        normalization.resetParameters()
    }

    func forward(_ sequence: Tensor, training: Bool) -> Tensor {
        sequenceShape = sequence.shape
        let (batch, steps, width) = (sequence.shape[0], sequence.shape[1], sequence.shape[2])
        let attended = attention.forward(sequence)
        residual.resize(to: sequence.shape)
        for index in 0..<sequence.count { residual.pointer[index] = sequence.pointer[index] + attended.pointer[index] }
        let normalized = normalization.forward(residual, training: training).pointer
        summary.resize(to: [batch, width])
        summary.zero()
        let inverseSteps = 1 / Float(steps)
        for n in 0..<batch {
            let target = summary.pointer + n * width
            for t in 0..<steps {
                let row = normalized + (n * steps + t) * width
                for d in 0..<width { target[d] += row[d] }
            }
            for d in 0..<width { target[d] *= inverseSteps }
        }
        return summary
    }

    func backward(_ dSummary: Tensor) -> Tensor {
        let (batch, steps, width) = (sequenceShape[0], sequenceShape[1], sequenceShape[2])
        dSequence.resize(to: sequenceShape, zero: true)
        let inverseSteps = 1 / Float(steps)
        for n in 0..<batch {
            let source = dSummary.pointer + n * width
            for t in 0..<steps {
                let row = dSequence.pointer + (n * steps + t) * width
                for d in 0..<width { row[d] = source[d] * inverseSteps }
            }
        }
        let dResidual = normalization.backward(dSequence)
        let fromAttention = attention.backward(dResidual)
        dRecurrent.resize(to: sequenceShape)
        for index in 0..<dRecurrent.count {
            dRecurrent.pointer[index] = dResidual.pointer[index] + fromAttention.pointer[index]
        }
        return dRecurrent
    }
}
