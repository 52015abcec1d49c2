/// Vectorisable exp, sigmoid and tanh for the hot loops (LSTM gates, softmax).
///
/// glibc's expf/tanhf are scalar calls; these are branch-free so the compiler turns the loops into
/// SIMD code. exp is a degree-6 polynomial on [-ln2/2, ln2/2] after range reduction, accurate to
/// about 2 ulp; sigmoid and tanh are built from it (absolute error below 1e-7).
public enum Activations {
    @inlinable @inline(__always)
    public static func exp(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -87.0), 88.0)
        // Adding 1.5 * 2^23 rounds x / ln2 to an integer held in the low mantissa bits, without a
        // float-to-int conversion (which would trap out of range and block vectorisation).
        let shifted = x * 1.442_695_04 + 12_582_912.0
        let n = shifted - 12_582_912.0
        // r = x - n ln2, with ln2 split in two for accuracy (Cody-Waite).
        let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6
        var p: Float = 1.987_569_1e-4
        p = p * r + 1.398_199_9e-3
        p = p * r + 8.333_452e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_5e-1
        p = p * r + 0.5
        p = p * r * r + r + 1
        let scale = Float(bitPattern: (shifted.bitPattern &+ 127) &<< 23)  // 2^n
        return p * scale
    }

    @inlinable @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }

    @inlinable @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let magnitude = Swift.abs(x)
        let positive = 1 - 2 / (exp(2 * magnitude) + 1)
        return x < 0 ? -positive : positive
    }

    /// values[i] = sigmoid(values[i]) for `count` values.
    @inlinable
    public static func sigmoid(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count { values[index] = sigmoid(values[index]) }
    }

    /// values[i] = tanh(values[i]) for `count` values.
    @inlinable
    public static func tanh(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count { values[index] = tanh(values[index]) }
    }
}
