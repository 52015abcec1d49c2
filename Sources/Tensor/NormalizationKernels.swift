import CKernels

/// Batch-normalisation passes over channels-last rows (R, C), with an optional fused ReLU.
public enum NormalizationKernels {
    /// mean (C) and the sum of squared deviations from it (C) of x (R, C), in Double.
    public static func channelStatistics(
        rows: Int, channels: Int, x: UnsafePointer<Float>,
        mean: UnsafeMutablePointer<Double>, squares: UnsafeMutablePointer<Double>
    ) {
        ckernels_channel_statistics(Int32(rows), Int32(channels), x, mean, squares)
    }

    /// normalized = (x - mean) * inverseDeviation; y = gamma * normalized + beta, clamped at zero
    /// when `relu`. x, normalized, y (R, C); the rest (C).
    public static func apply(
        rows: Int, channels: Int, x: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        normalized: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, relu: Bool
    ) {
        ckernels_batchnorm_apply(Int32(rows), Int32(channels), x, mean, inverseDeviation, gamma, beta,
                                 normalized, y, relu ? 1 : 0)
    }

    /// Per-channel sums (C) of dy and dy * normalized (R, C), in Double; when `reluOutput` (R, C)
    /// is given, dy counts only where it is positive.
    public static func gradientSums(
        rows: Int, channels: Int, dy: UnsafePointer<Float>, normalized: UnsafePointer<Float>,
        reluOutput: UnsafePointer<Float>?,
        sumDy: UnsafeMutablePointer<Double>, sumDyNormalized: UnsafeMutablePointer<Double>
    ) {
        ckernels_batchnorm_gradient_sums(Int32(rows), Int32(channels), dy, normalized, reluOutput, sumDy, sumDyNormalized)
    }

    /// dx = scale * (dy - shift - normalized * slope) over (R, C) with per-channel (C) scale,
    /// shift and slope; dy masked by reluOutput > 0 when given.
    public static func backward(
        rows: Int, channels: Int, dy: UnsafePointer<Float>, normalized: UnsafePointer<Float>,
        reluOutput: UnsafePointer<Float>?,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, slope: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        ckernels_batchnorm_backward_apply(Int32(rows), Int32(channels), dy, normalized, reluOutput, scale, shift,
                                          slope, dx)
    }

    /// The shape of a fused normalise-ReLU-pool pass: x is (batch, length, channels), pooled is
    /// (batch, length / kernelSize, channels).
    public struct PoolingShape: Sendable {
        public var batch: Int, length: Int, channels: Int, kernelSize: Int

        public init(batch: Int, length: Int, channels: Int, kernelSize: Int) {
            (self.batch, self.length, self.channels, self.kernelSize) = (batch, length, channels, kernelSize)
        }
    }

    /// pooled = MaxPool(ReLU(gamma * (x - mean) * inverseDeviation + beta)), nothing else stored.
    public static func normalizeReLUPool(
        _ shape: PoolingShape, x: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, pooled: UnsafeMutablePointer<Float>
    ) {
        ckernels_batchnorm_relu_maxpool_forward(Int32(shape.batch), Int32(shape.length), Int32(shape.channels),
                                                Int32(shape.kernelSize), x, mean, inverseDeviation, gamma, beta, pooled)
    }

    /// Per-channel sums (C) of dy and dy * normalized in Double, where dy is dPooled routed back
    /// through the pool and the ReLU (both recomputed from x).
    public static func normalizeReLUPoolGradientSums(
        _ shape: PoolingShape, x: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, dPooled: UnsafePointer<Float>,
        sumDy: UnsafeMutablePointer<Double>, sumDyNormalized: UnsafeMutablePointer<Double>
    ) {
        ckernels_batchnorm_relu_maxpool_gradient_sums(
            Int32(shape.batch), Int32(shape.length), Int32(shape.channels), Int32(shape.kernelSize),
            x, mean, inverseDeviation, gamma, beta, dPooled, sumDy, sumDyNormalized)
    }

    /// dx (N, L, C) = scale * (dy - shift - normalized * slope) with dy routed as in the sums.
    public static func normalizeReLUPoolBackward(
        _ shape: PoolingShape, x: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, dPooled: UnsafePointer<Float>,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, slope: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        ckernels_batchnorm_relu_maxpool_backward(
            Int32(shape.batch), Int32(shape.length), Int32(shape.channels), Int32(shape.kernelSize),
            x, mean, inverseDeviation, gamma, beta, dPooled, scale, shift, slope, dx)
    }
}
