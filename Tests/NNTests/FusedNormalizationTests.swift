import NN
import Tensor
import TestSupport
import Testing

/// BatchNorm1d's fused forms (with ReLU, and with ReLU and MaxPool1d) against the three layers run
/// one after another: the same outputs, input gradients, parameter gradients and running
/// statistics, in training and evaluation, with window sizes 2 and 3 and a ragged tail. The fused
/// passes recompute the normalised values and the window winners instead of storing them, so
/// they must agree to the last bit with what the separate layers computed.
@Suite("Fused BatchNorm1d, ReLU and MaxPool1d")
struct FusedNormalizationTests {
    /// A BatchNorm1d over `channels` with a non-trivial affine transform and running statistics.
    static func normalization(channels: Int) -> (BatchNorm1d, ParameterStore) {
        let store = ParameterStore()
        let layer = BatchNorm1d(features: channels, name: "bn", store: store)
        store.allocate()
        layer.resetParameters()
        var generator = SeededGenerator(seed: 21)
        for entry in store.entries where entry.kind != .counter {
            let values = (0..<entry.count).map { _ in entry.name.hasSuffix("var") ? 0.5 + generator.nextUnitFloat()
                                                                                 : generator.nextNormal() * 0.5 }
            try? store.setValues(values, of: entry)
        }
        return (layer, store)
    }

    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let tensor = Tensor(shape: shape)
        for index in 0..<tensor.count { tensor[flat: index] = generator.nextNormal() }
        return tensor
    }

    /// Everything a pass produced that the fused form must reproduce.
    struct Outcome: Equatable {
        var output: [Float], dInput: [Float], gradients: [Float], buffers: [Float]

        /// The first difference from `other`, named, or nil when they are identical.
        func firstDifference(from other: Outcome) -> String? {
            for (name, mine, theirs) in [("output", output, other.output), ("dInput", dInput, other.dInput),
                                         ("gradients", gradients, other.gradients), ("buffers", buffers, other.buffers)] {
                guard mine.count == theirs.count else { return "\(name): \(mine.count) values, expected \(theirs.count)" }
                if let index = mine.indices.first(where: { mine[$0].bitPattern != theirs[$0].bitPattern }) {
                    return "\(name)[\(index)] = \(mine[index]), expected \(theirs[index])"
                }
            }
            return nil
        }
    }

    static func outcome(_ store: ParameterStore, output: Tensor, dInput: Tensor) -> Outcome {
        Outcome(output: output.toArray(), dInput: dInput.toArray(),
                gradients: Array(UnsafeBufferPointer(start: store.gradients, count: store.parameterCount)),
                buffers: Array(UnsafeBufferPointer(start: store.buffers, count: store.bufferCount)))
    }

    @Test(arguments: [(2, 8, true), (2, 9, true), (3, 11, true), (2, 8, false), (3, 10, false)])
    func pooledFormMatchesTheSeparateLayers(kernelSize: Int, length: Int, training: Bool) {
        let channels = 70  // more than one 64-channel chunk of the fused kernels
        let input = Self.random([3, length, channels], seed: 5)
        let upstream = Self.random([3, length / kernelSize, channels], seed: 6)

        let (separate, separateStore) = Self.normalization(channels: channels)
        let relu = ReLU()
        let pool = MaxPool1d(kernelSize: kernelSize)
        separateStore.zeroGradients()
        let pooled = pool.forward(relu.forward(separate.forward(input, training: training)))
        let dSeparate = separate.backward(relu.backward(pool.backward(upstream)))
        let expected = Self.outcome(separateStore, output: pooled, dInput: dSeparate)

        let (fused, fusedStore) = Self.normalization(channels: channels)
        fusedStore.zeroGradients()
        let output = fused.forward(input, training: training, reluAndMaxPool: kernelSize)
        let dFused = fused.backward(upstream)
        #expect(output.shape == pooled.shape && dFused.shape == input.shape)
        let difference = Self.outcome(fusedStore, output: output, dInput: dFused).firstDifference(from: expected)
        #expect(difference == nil)
    }

    @Test(arguments: [true, false])
    func reluFormMatchesTheSeparateLayers(training: Bool) {
        let input = Self.random([4, 6, 9], seed: 7)
        let upstream = Self.random([4, 6, 9], seed: 8)
        let (separate, separateStore) = Self.normalization(channels: 9)
        let relu = ReLU()
        separateStore.zeroGradients()
        let activated = relu.forward(separate.forward(input, training: training))
        let dSeparate = separate.backward(relu.backward(upstream))
        let expected = Self.outcome(separateStore, output: activated, dInput: dSeparate)

        let (fused, fusedStore) = Self.normalization(channels: 9)
        fusedStore.zeroGradients()
        let output = fused.forward(input, training: training, applyingReLU: true)
        let dFused = fused.backward(upstream)
        let difference = Self.outcome(fusedStore, output: output, dInput: dFused).firstDifference(from: expected)
        #expect(difference == nil)
    }
}
