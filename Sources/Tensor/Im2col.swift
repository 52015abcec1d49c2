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
        let outputLength = outputLength(length: length, kernelSize: kernelSize, padding: padding)
        let rowWidth = kernelSize * channels
        for n in 0..<batch {
            let sample = input + n * length * channels
            for l in 0..<outputLength {
                let row = columns + (n * outputLength + l) * rowWidth
                for k in 0..<kernelSize {
                    let source = l - padding + k
                    let destination = row + k * channels
                    if source >= 0 && source < length {
                        destination.update(from: sample + source * channels, count: channels)
                    } else {
                        destination.update(repeating: 0, count: channels)
                    }
                }
            }
        }
    }

    /// Adds columns (N * Lout, K * C) back into dInput (N, L, C), the adjoint of `unfold`.
    /// dInput is accumulated into, not overwritten.
    public static func fold(
        columns: UnsafePointer<Float>, batch: Int, length: Int, channels: Int,
        kernelSize: Int, padding: Int, dInput: UnsafeMutablePointer<Float>
    ) {
        let outputLength = outputLength(length: length, kernelSize: kernelSize, padding: padding)
        let rowWidth = kernelSize * channels
        for n in 0..<batch {
            let sample = dInput + n * length * channels
            for l in 0..<outputLength {
                let row = columns + (n * outputLength + l) * rowWidth
                for k in 0..<kernelSize {
                    let target = l - padding + k
                    guard target >= 0 && target < length else { continue }
                    let destination = sample + target * channels
                    let source = row + k * channels
                    for c in 0..<channels { destination[c] += source[c] }
                }
            }
        }
    }
}
