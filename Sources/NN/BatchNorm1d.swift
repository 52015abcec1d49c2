import Foundation
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
    private var inverseStandardDeviation: [Float]  // (C)
    private var sums: [Double]                     // (C) scratch
    private var squares: [Double]                  // (C) scratch
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
        inverseStandardDeviation = Array(repeating: 0, count: features)
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

        sums.withUnsafeMutableBufferPointer { sum in
        squares.withUnsafeMutableBufferPointer { square in
        inverseStandardDeviation.withUnsafeMutableBufferPointer { inverse in
            if training {
                precondition(rows > 1, "BatchNorm1d needs more than one value per channel in training")
                // Two passes in Double: mean, then the biased variance around it.
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
                    inverse[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
                    meanBuffer[c] = Float(keep * Double(meanBuffer[c]) + take * sum[c])
                    varianceBuffer[c] = Float(keep * Double(varianceBuffer[c]) + take * square[c] / (count - 1))
                    square[c] = sum[c]  // reuse as the mean for the normalisation pass
                }
                store.counters[batchesTracked.offset] += 1
            } else {
                for c in 0..<channels {
                    square[c] = Double(meanBuffer[c])
                    inverse[c] = 1 / (varianceBuffer[c] + epsilon).squareRoot()
                }
            }
            let xhat = normalized.pointer
            let y = output.pointer
            for r in 0..<rows {
                let offset = r * channels
                for c in 0..<channels {
                    let value = (x[offset + c] - Float(square[c])) * inverse[c]
                    xhat[offset + c] = value
                    y[offset + c] = gamma[c] * value + beta[c]
                }
            }
        }
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
        sums.withUnsafeMutableBufferPointer { sumDy in
        squares.withUnsafeMutableBufferPointer { sumDyXhat in
        inverseStandardDeviation.withUnsafeMutableBufferPointer { inverse in
            for c in 0..<channels { sumDy[c] = 0; sumDyXhat[c] = 0 }
            for r in 0..<count {
                let offset = r * channels
                for c in 0..<channels {
                    sumDy[c] += Double(dy[offset + c])
                    sumDyXhat[c] += Double(dy[offset + c]) * Double(xhat[offset + c])
                }
            }
            for c in 0..<channels {
                dGamma[c] += Float(sumDyXhat[c])
                dBeta[c] += Float(sumDy[c])
            }
            if training {
                // dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
                let n = Double(count)
                for c in 0..<channels { sumDy[c] /= n; sumDyXhat[c] /= n }
                for r in 0..<count {
                    let offset = r * channels
                    for c in 0..<channels {
                        let centered = dy[offset + c] - Float(sumDy[c]) - xhat[offset + c] * Float(sumDyXhat[c])
                        dx[offset + c] = gamma[c] * inverse[c] * centered
                    }
                }
            } else {
                for r in 0..<count {
                    let offset = r * channels
                    for c in 0..<channels { dx[offset + c] = dy[offset + c] * gamma[c] * inverse[c] }
                }
            }
        }
        }
        }
        return dInput
    }
}
