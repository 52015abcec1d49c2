import Foundation
import Tensor

/// Adam as `torch.optim.Adam` (single-tensor CPU path), over a store's flat parameters:
/// weight decay is added to the gradient (L2, not AdamW), moments are updated with
/// bias correction, and one loop covers every parameter.
public final class Adam {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// Steps taken so far (PyTorch's `state['step']`).
    public var step: Int = 0

    private let store: ParameterStore
    /// First moments, one per parameter value.
    public let firstMoments: Tensor   // (P)
    /// Second moments, one per parameter value.
    public let secondMoments: Tensor  // (P)

    public init(parameters store: ParameterStore, learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.store = store
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = Tensor(shape: [store.parameterCount])
        secondMoments = Tensor(shape: [store.parameterCount])
    }

    /// Applies one update from the store's current gradients.
    public func update() {
        step += 1
        let biasCorrection1 = 1 - pow(Double(beta1), Double(step))
        let biasCorrection2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / biasCorrection1)
        let biasCorrection2Root = Float(biasCorrection2.squareRoot())
        // Per value: g += decay * p; m += (1 - b1)(g - m); v = b2 v + (1 - b2) g^2;
        // p -= stepSize * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
        Kernels.adamUpdate(count: store.parameterCount, parameters: store.parameters, gradients: store.gradients,
                           firstMoments: firstMoments.pointer, secondMoments: secondMoments.pointer,
                           beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                           stepSize: stepSize, correction2Root: biasCorrection2Root)
    }
}
