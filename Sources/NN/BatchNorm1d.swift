import Tensor

/// Batch normalisation over the channel dimension, as `torch.nn.BatchNorm1d`, on channels-last
/// activations: input (N, L, C) or (N, C) -> output of the same shape; statistics per channel
/// over all N * L rows.
///
/// Training mode normalises with the batch statistics (biased variance) and updates the running
/// mean and the running unbiased variance with `momentum`; evaluation mode uses the running ones.
/// A following ReLU, or ReLU and MaxPool1d, can be fused in (`applyingReLU`, `reluAndMaxPool`):
/// fewer passes over the activations, and the pooled form stores nothing full-size at all.
public final class BatchNorm1d {
    public let features: Int
    public let epsilon: Float
    public let momentum: Float

    /// What the last forward pass applied after normalising.
    enum Mode: Equatable {
        case plain
        case relu
        /// ReLU then max pooling over windows of this size, from the input kept in `pooledInput`.
        case reluMaxPool(kernelSize: Int)
    }

    private let store: ParameterStore
    private let weight: ParameterStore.Slot       // (C)
    private let bias: ParameterStore.Slot         // (C)
    private let runningMean: ParameterStore.Slot  // (C)
    private let runningVariance: ParameterStore.Slot  // (C)
    private let batchesTracked: ParameterStore.Slot

    /// The last forward pass's result: same shape as its input, or (N, L / k, C) when pooled.
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient, the shape of the forward input.
    public let dInput = Tensor(shape: [0])
    private let normalized = Tensor(shape: [0])  // (rows, C): (x - mean) * inverseStd; not kept when pooled
    private let mean: Tensor                      // (C): the mean used by the last forward pass
    private let inverseStandardDeviation: Tensor  // (C)
    private let scale: Tensor                     // (C): gamma * inverseStd in backward
    private let shift: Tensor                     // (C): mean(dy) in backward
    private let slope: Tensor                     // (C): mean(dy * xhat) in backward
    private let sums: UnsafeMutablePointer<Double>     // (C) scratch
    private let squares: UnsafeMutablePointer<Double>  // (C) scratch
    private var rows = 0
    private var inputShape: [Int] = []
    private var pooledInput: Tensor?  // (N, L, C): the input of a pooled forward pass
    private var trainedLastForward = true
    private var mode = Mode.plain

    public init(features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, name: String, store: ParameterStore) {
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        self.store = store
        weight = store.addParameter(name: "\(name).weight", shape: [features])
        bias = store.addParameter(name: "\(name).bias", shape: [features])
        runningMean = store.addBuffer(name: "\(name).running_mean", shape: [features])
        runningVariance = store.addBuffer(name: "\(name).running_var", shape: [features])
        batchesTracked = store.addCounter(name: "\(name).num_batches_tracked")
        mean = Tensor(shape: [features])
        inverseStandardDeviation = Tensor(shape: [features])
        scale = Tensor(shape: [features])
        shift = Tensor(shape: [features])
        slope = Tensor(shape: [features])
        sums = .allocate(capacity: Swift.max(features, 1))
        sums.initialize(repeating: 0, count: Swift.max(features, 1))
        squares = .allocate(capacity: Swift.max(features, 1))
        squares.initialize(repeating: 0, count: Swift.max(features, 1))
    }

    deinit {
        sums.deallocate()
        squares.deallocate()
    }

    /// PyTorch's default: weight 1, bias 0, running mean 0, running variance 1, counter 0.
    public func resetParameters() {
        store.value(weight).update(repeating: 1, count: features)
        store.value(bias).update(repeating: 0, count: features)
        store.buffer(runningMean).update(repeating: 0, count: features)
        store.buffer(runningVariance).update(repeating: 1, count: features)
        store.counters[batchesTracked.offset] = 0
    }

    /// input (N, L, C) or (N, C) -> output of the same shape; max(output, 0) with `applyingReLU`.
    @discardableResult
    public func forward(_ input: Tensor, training: Bool, applyingReLU relu: Bool = false) -> Tensor {
        prepare(input, training: training, mode: relu ? .relu : .plain)
        output.resize(to: input.shape)
        normalized.resize(to: [rows, features])
        NormalizationKernels.apply(rows: rows, channels: features, x: input.pointer, mean: mean.pointer,
                                   inverseDeviation: inverseStandardDeviation.pointer,
                                   gamma: store.value(weight), beta: store.value(bias),
                                   normalized: normalized.pointer, y: output.pointer, relu: relu)
        return output
    }

    /// input (N, L, C) -> MaxPool1d(kernelSize)(ReLU(BatchNorm1d(input))), (N, L / kernelSize, C).
    /// Keeps a reference to the input for the backward pass (it must not change in between).
    @discardableResult
    public func forward(_ input: Tensor, training: Bool, reluAndMaxPool kernelSize: Int) -> Tensor {
        precondition(input.shape.count == 3 && kernelSize >= 1, "the pooled form expects (N, L, C), got \(input.shape)")
        prepare(input, training: training, mode: .reluMaxPool(kernelSize: kernelSize))
        pooledInput = input
        let shape = poolingShape
        output.resize(to: [shape.batch, shape.length / kernelSize, features])
        NormalizationKernels.normalizeReLUPool(shape, x: input.pointer, mean: mean.pointer,
                                               inverseDeviation: inverseStandardDeviation.pointer,
                                               gamma: store.value(weight), beta: store.value(bias),
                                               pooled: output.pointer)
        return output
    }

    /// dOutput (the shape of the last output) -> dInput (the shape of the last input); adds the
    /// weight and bias gradients.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        precondition(dOutput.count == output.count, "BatchNorm1d.backward: gradient shape \(dOutput.shape), output \(output.shape)")
        dInput.resize(to: inputShape)
        let gamma = store.value(weight), beta = store.value(bias)
        let (mu, inverse) = (mean.pointer, inverseStandardDeviation.pointer)
        switch mode {
        case .plain, .relu:
            // Through the fused ReLU the gradient counts only where the output was positive.
            let reluOutput = mode == .relu ? UnsafePointer(output.pointer) : nil
            NormalizationKernels.gradientSums(rows: rows, channels: features, dy: dOutput.pointer,
                                              normalized: normalized.pointer, reluOutput: reluOutput,
                                              sumDy: sums, sumDyNormalized: squares)
            finishCoefficients()
            NormalizationKernels.backward(rows: rows, channels: features, dy: dOutput.pointer,
                                          normalized: normalized.pointer, reluOutput: reluOutput,
                                          scale: scale.pointer, shift: shift.pointer, slope: slope.pointer,
                                          dx: dInput.pointer)
        case .reluMaxPool:
            guard let input = pooledInput else { preconditionFailure("BatchNorm1d.backward before forward") }
            NormalizationKernels.normalizeReLUPoolGradientSums(
                poolingShape, x: input.pointer, mean: mu, inverseDeviation: inverse, gamma: gamma, beta: beta,
                dPooled: dOutput.pointer, sumDy: sums, sumDyNormalized: squares)
            finishCoefficients()
            NormalizationKernels.normalizeReLUPoolBackward(
                poolingShape, x: input.pointer, mean: mu, inverseDeviation: inverse, gamma: gamma, beta: beta,
                dPooled: dOutput.pointer, scale: scale.pointer, shift: shift.pointer, slope: slope.pointer,
                dx: dInput.pointer)
        }
        return dInput
    }

    /// The pooled form's shape, from the last input.
    private var poolingShape: NormalizationKernels.PoolingShape {
        guard case .reluMaxPool(let kernelSize) = mode else { preconditionFailure("not a pooled pass") }
        return .init(batch: inputShape[0], length: inputShape[1], channels: features, kernelSize: kernelSize)
    }

    /// The statistics a forward pass normalises with: the batch's (updating the running ones) in
    /// training, the running ones in evaluation.
    private func prepare(_ input: Tensor, training: Bool, mode: Mode) {
        precondition(input.shape.last == features, "BatchNorm1d expects \(features) channels last, got \(input.shape)")
        rows = input.count / features
        inputShape = input.shape
        trainedLastForward = training
        self.mode = mode
        if mode == .plain || mode == .relu { pooledInput = nil }
        let meanBuffer = store.buffer(runningMean)
        let varianceBuffer = store.buffer(runningVariance)
        let mu = mean.pointer
        let inverse = inverseStandardDeviation.pointer
        guard training else {
            for c in 0..<features {
                mu[c] = meanBuffer[c]
                inverse[c] = 1 / (varianceBuffer[c] + epsilon).squareRoot()
            }
            return
        }
        precondition(rows > 1, "BatchNorm1d needs more than one value per channel in training")
        // Two passes in Double: the mean, then the sum of squared deviations around it.
        NormalizationKernels.channelStatistics(rows: rows, channels: features, x: input.pointer, mean: sums, squares: squares)
        let count = Double(rows)
        let keep = Double(1 - momentum)
        let take = Double(momentum)
        for c in 0..<features {
            let variance = squares[c] / count
            mu[c] = Float(sums[c])
            inverse[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
            meanBuffer[c] = Float(keep * Double(meanBuffer[c]) + take * sums[c])
            varianceBuffer[c] = Float(keep * Double(varianceBuffer[c]) + take * squares[c] / (count - 1))
        }
        store.counters[batchesTracked.offset] += 1
    }

    /// From the gradient sums in `sums` (dy) and `squares` (dy * xhat): adds the weight and bias
    /// gradients and sets the per-channel parts of
    /// dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)) (training) or
    /// gamma * invstd * dy (evaluation).
    private func finishCoefficients() {
        let gamma = store.value(weight)
        let dGamma = store.gradient(weight)
        let dBeta = store.gradient(bias)
        let inverse = inverseStandardDeviation.pointer
        let n = Double(rows)
        for c in 0..<features {
            dGamma[c] += Float(squares[c])
            dBeta[c] += Float(sums[c])
            scale.pointer[c] = gamma[c] * inverse[c]
            shift.pointer[c] = trainedLastForward ? Float(sums[c] / n) : 0
            slope.pointer[c] = trainedLastForward ? Float(squares[c] / n) : 0
        }
    }
}
