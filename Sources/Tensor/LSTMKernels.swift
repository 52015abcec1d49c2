import CKernels

/// The elementwise half of an LSTM time step (the products are GEMMs), over a slice of the batch.
/// Rows are `stride` floats apart: a step's rows sit L rows apart in (N, L, ...) buffers.
public enum LSTMKernels {
    /// Activates gates (B, 4H: i, f, g, o) in place; cell = f * previousCell + i * g (no
    /// previous cell at the first step), cellTanh = tanh(cell), hidden = o * cellTanh, all (B, H).
    public static func stepForward(
        batch: Int, hiddenSize: Int,
        gates: UnsafeMutablePointer<Float>, gateStride: Int,
        previousCell: UnsafePointer<Float>?,
        cell: UnsafeMutablePointer<Float>, cellTanh: UnsafeMutablePointer<Float>, cellStride: Int,
        hidden: UnsafeMutablePointer<Float>, hiddenStride: Int
    ) {
        ckernels_lstm_step_forward(Int32(batch), Int32(hiddenSize), gates, gateStride, previousCell, cell,
                                   cellTanh, cellStride, hidden, hiddenStride)
    }

    /// dGates (B, 4H, pre-activation) from the activated gates, tanh(cell) and previous cell
    /// (B, H; nil at the first step), the output gradient dOutput (B, H) and the gradients from
    /// the next step (dHiddenNext, dCellNext (B, H)); dCellNext becomes the previous step's.
    public static func stepBackward(
        batch: Int, hiddenSize: Int,
        gates: UnsafePointer<Float>, gateStride: Int,
        cellTanh: UnsafePointer<Float>, previousCell: UnsafePointer<Float>?, cellStride: Int,
        dOutput: UnsafePointer<Float>, dOutputStride: Int,
        dHiddenNext: UnsafePointer<Float>, dCellNext: UnsafeMutablePointer<Float>, nextStride: Int,
        dGates: UnsafeMutablePointer<Float>, dGateStride: Int
    ) {
        ckernels_lstm_step_backward(Int32(batch), Int32(hiddenSize), gates, gateStride, cellTanh, previousCell,
                                    cellStride, dOutput, dOutputStride, dHiddenNext, dCellNext, nextStride,
                                    dGates, dGateStride)
    }
}
