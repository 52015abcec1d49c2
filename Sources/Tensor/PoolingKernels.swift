import CKernels

/// Max pooling along the sequence of channels-last activations, stride equal to the window.
public enum PoolingKernels {
    /// x (N, L, C) -> y (N, L / k, C) and the winning window position per output (as Float);
    /// ties keep the earlier position, NaN wins.
    public static func maximumForward(
        batch: Int, length: Int, channels: Int, kernelSize: Int,
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Float>
    ) {
        ckernels_maxpool_forward(Int32(batch), Int32(length), Int32(channels), Int32(kernelSize), x, y, winners)
    }

    /// dx (N, L, C) = dy (N, L / k, C) routed to each window's winner, zero elsewhere.
    public static func maximumBackward(
        batch: Int, length: Int, channels: Int, kernelSize: Int,
        dy: UnsafePointer<Float>, winners: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        ckernels_maxpool_backward(Int32(batch), Int32(length), Int32(channels), Int32(kernelSize), dy, winners, dx)
    }
}
