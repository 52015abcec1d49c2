import CKernels

/// Unfolding of 1-D convolution windows so a whole batch's convolution is one matrix product.
///
/// Activations are channels-last, `(N, L, C)`. Each output position (n, l) becomes one row of
/// `K * C` values: the input rows `l - padding ..< l - padding + K`, zero outside the sequence.
public enum Im2col {
    /// The output length of a stride-1 convolution.
    public static func outputLength(length: Int, kernelSize: Int, padding: Int) -> Int {
        length + 2 * padding - kernelSize + 1
    }

    /// input (N, L, C) -> columns (N * Lout, K * C).
    public static func unfold(
        input: UnsafePointer<Float>, batch: Int, length: Int, channels: Int,
        kernelSize: Int, padding: Int, columns: UnsafeMutablePointer<Float>
    ) {
        ckernels_im2col(Int32(batch), Int32(length), Int32(channels), Int32(kernelSize), Int32(padding),
                        input, columns)
    }

    /// Adds columns (N * Lout, K * C) back into dInput (N, L, C), the adjoint of `unfold`.
    /// dInput is accumulated into, not overwritten.
    public static func fold(
        columns: UnsafePointer<Float>, batch: Int, length: Int, channels: Int,
        kernelSize: Int, padding: Int, dInput: UnsafeMutablePointer<Float>
    ) {
        ckernels_col2im_add(Int32(batch), Int32(length), Int32(channels), Int32(kernelSize), Int32(padding),
                            columns, dInput)
    }
}
