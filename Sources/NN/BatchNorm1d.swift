import Tensor

/// Batch normalisation over the channel dimension, as `torch.nn.BatchNorm1d`, on channels-last
/// activations: input (N, L, C) or (N, C) -> output of the same shape; statistics per channel
/// over all N * L rows.
///
/// Training mode normalises with the batch statistics (biased variance) and updates the running
/// mean and the running unbiased variance with `momentum`; evaluation mode uses the running ones.
public final class BatchNorm1d {
    public let features: Int
    public let epsilon: Float
    public let momentum: Float

    private let store: ParameterStore
    private let weight: ParameterStore.Slot       // (C)
    private let bias: ParameterStore.Slot         // (C)
    private let runningMean: ParameterStore.Slot  // (C)
    private let runningVariance: ParameterStore.Slot  // (C)
    private let batchesTracked: ParameterStore.Slot

    /// The last forward pass's result, same shape as its input.
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient.
    public let dInput = Tensor(shape: [0])
    private let normalized = Tensor(shape: [0])  // (rows, C): (x - mean) * inverseStd
    private let mean: Tensor                      // (C): the mean used by the last forward pass
    private let inverseStandardDeviation: Tensor  // (C)
    private let shift = Tensor(shape: [0])        // (C): mean(dy) in backward
    private let slope = Tensor(shape: [0])        // (C): mean(dy * xhat) in backward
    private var sums: [Double]                    // (C) scratch
    private var squares: [Double]                 // (C) scratch
    private var rows = 0
    private var trainedLastForward = true

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
        sums = Array(repeating: 0, count: features)
        squares = Array(repeating: 0, count: features)
    }

    /// PyTorch's default: weight 1, bias 0, running mean 0, running variance 1, counter 0.
    public func resetParameters() {
        store.value(weight).update(repeating: 1, count: features)
        store.value(bias).update(repeating: 0, count: features)
        store.buffer(runningMean).update(repeating: 0, count: features)
        store.buffer(runningVariance).update(repeating: 1, count: features)
        store.counters[batchesTracked.offset] = 0
    }

    /// input (N, L, C) or (N, C) -> output of the same shape.
    @discardableResult
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.last == features, "BatchNorm1d expects \(features) channels last, got \(input.shape)")
        rows = input.count / features
        trainedLastForward = training
        output.resize(to: input.shape)
        normalized.resize(to: [rows, features])
        let x = input.pointer
        let gamma = store.value(weight)
        let beta = store.value(bias)
        let meanBuffer = store.buffer(runningMean)
        let varianceBuffer = store.buffer(runningVariance)
        let channels = features

        let mu = mean.pointer
        let inverse = inverseStandardDeviation.pointer
        if training {
            precondition(rows > 1, "BatchNorm1d needs more than one value per channel in training")
            sums.withUnsafeMutableBufferPointer { sum in
            squares.withUnsafeMutableBufferPointer { square in
                // Two passes in Double: the mean, then the biased variance around it.
                for c in 0..<channels { sum[c] = 0; square[c] = 0 }
                for r in 0..<rows {
                    let row = x + r * channels
                    for c in 0..<channels { sum[c] += Double(row[c]) }
                }
                let count = Double(rows)
                for c in 0..<channels { sum[c] /= count }
                for r in 0..<rows {
                    let row = x + r * channels
                    for c in 0..<channels {
                        let centered = Double(row[c]) - sum[c]
                        square[c] += centered * centered
                    }
                }
                let keep = Double(1 - momentum)
                let take = Double(momentum)
                for c in 0..<channels {
                    let variance = square[c] / count
                    mu[c] = Float(sum[c])
                    inverse[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
                    meanBuffer[c] = Float(keep * Double(meanBuffer[c]) + take * sum[c])
                    varianceBuffer[c] = Float(keep * Double(varianceBuffer[c]) + take * square[c] / (count - 1))
                }
            }
            }
            store.counters[batchesTracked.offset] += 1
        } else {
            for c in 0..<channels {
                mu[c] = meanBuffer[c]
                inverse[c] = 1 / (varianceBuffer[c] + epsilon).squareRoot()
            }
        }
        for r in 0..<rows {
            // Row pointers keep the inner loop free of overflow checks, so it vectorises.
            let xRow = x + r * channels
            let xhat = normalized.pointer + r * channels
            let y = output.pointer + r * channels
            for c in 0..<channels {
                let value = (xRow[c] - mu[c]) * inverse[c]
                xhat[c] = value
                y[c] = gamma[c] * value + beta[c]
            }
        }
        return output
    }

    /// dOutput (same shape as the input) -> dInput; adds the weight and bias gradients.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        precondition(dOutput.count == rows * features, "BatchNorm1d.backward: gradient shape \(dOutput.shape)")
        dInput.resize(to: dOutput.shape)
        let dy = dOutput.pointer
        let xhat = normalized.pointer
        let dx = dInput.pointer
        let gamma = store.value(weight)
        let dGamma = store.gradient(weight)
        let dBeta = store.gradient(bias)
        let channels = features
        let count = rows
        let training = trainedLastForward
        let inverse = inverseStandardDeviation.pointer
        sums.withUnsafeMutableBufferPointer { sumDy in
        squares.withUnsafeMutableBufferPointer { sumDyXhat in
            for c in 0..<channels { sumDy[c] = 0; sumDyXhat[c] = 0 }
            for r in 0..<count {
                let dyRow = dy + r * channels
                let xhatRow = xhat + r * channels
                for c in 0..<channels {
                    sumDy[c] += Double(dyRow[c])
                    sumDyXhat[c] += Double(dyRow[c]) * Double(xhatRow[c])
                }
            }
            for c in 0..<channels {
                dGamma[c] += Float(sumDyXhat[c])
                dBeta[c] += Float(sumDy[c])
            }
            // dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)) in training,
            // gamma * invstd * dy in evaluation; `scale`, `shift`, `slope` hold the per-channel parts.
            let n = Double(count)
            let scale = mean.pointer  // reused: the forward mean is not needed any more
            for c in 0..<channels {
                scale[c] = gamma[c] * inverse[c]
                sumDy[c] = training ? sumDy[c] / n : 0
                sumDyXhat[c] = training ? sumDyXhat[c] / n : 0
            }
            shift.resize(to: [channels])
            slope.resize(to: [channels])
            for c in 0..<channels {
                shift.pointer[c] = Float(sumDy[c])
                slope.pointer[c] = Float(sumDyXhat[c])
            }
        }
        }
        let shiftValues = shift.pointer
        let slopeValues = slope.pointer
        let scale = mean.pointer
        for r in 0..<count {
            let dyRow = dy + r * channels
            let xhatRow = xhat + r * channels
            let dxRow = dx + r * channels
            for c in 0..<channels {
                dxRow[c] = scale[c] * (dyRow[c] - shiftValues[c] - xhatRow[c] * slopeValues[c])
            }
        }
        return dInput
    }
}
