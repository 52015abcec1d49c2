import Tensor

/// Gradient-norm clipping as `torch.nn.utils.clip_grad_norm_` (L2 norm over all gradients).
public enum GradientClipping {
    /// Scales the store's gradients so their total norm is at most `maximumNorm`;
    /// returns the norm before clipping.
    @discardableResult
    public static func clip(_ store: ParameterStore, maximumNorm: Float) -> Float {
        let total = Float(Kernels.sumOfSquares(store.gradients, count: store.parameterCount).squareRoot())
        let coefficient = min(maximumNorm / (total + 1e-6), 1)
        if coefficient < 1 {
            let g = store.gradients
            for index in 0..<store.parameterCount { g[index] *= coefficient }
        }
        return total
    }
}
