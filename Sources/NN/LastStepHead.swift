import Tensor

/// The plain head (lstm and bilstm variants): the LSTM output at the last time step. No parameters.
final class LastStepHead: SequenceHead {
    private let summary = Tensor(shape: [0])    // (N, D)
    private let dSequence = Tensor(shape: [0])  // (N, T, D)
    private var sequenceShape: [Int] = []        // (N, T, D) of the last forward pass

    func resetParameters(generator: inout SeededGenerator) {}

    func forward(_ sequence: Tensor, training: Bool) -> Tensor {
        sequenceShape = sequence.shape
        let (batch, steps, width) = (sequence.shape[0], sequence.shape[1], sequence.shape[2])
        summary.resize(to: [batch, width])
        for n in 0..<batch {
            (summary.pointer + n * width).update(from: sequence.pointer + (n * steps + steps - 1) * width, count: width)
        }
        return summary
    }

    func backward(_ dSummary: Tensor) -> Tensor {
        let (batch, steps, width) = (sequenceShape[0], sequenceShape[1], sequenceShape[2])
        dSequence.resize(to: sequenceShape, zero: true)
        for n in 0..<batch {
            (dSequence.pointer + (n * steps + steps - 1) * width).update(from: dSummary.pointer + n * width, count: width)
        }
        return dSequence
    }
}
