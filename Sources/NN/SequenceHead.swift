import Tensor

/// The part of the CNN+LSTM between the LSTM and the classifier: it reduces the LSTM output
/// (N, T, D) to one row per sample (N, D). Its parameters, if any, are registered in the model's
/// store when it is built, between the LSTM's and the classifier's.
protocol SequenceHead: AnyObject {
    /// PyTorch's default initialisation of the head's layers, if it has any.
    func resetParameters(generator: inout SeededGenerator)
    /// sequence (N, T, D) -> summary (N, D).
    func forward(_ sequence: Tensor, training: Bool) -> Tensor
    /// dSummary (N, D) -> dSequence (N, T, D), for the sequence of the last forward pass.
    func backward(_ dSummary: Tensor) -> Tensor
}
