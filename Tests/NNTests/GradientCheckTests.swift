import NN
import Tensor
import TestSupport
import Testing

/// Finite-difference checks of every backward pass on small random shapes that the PyTorch
/// fixtures do not cover (other kernel sizes, odd lengths, more layers and heads).
/// Loss = sum(output * upstream), accumulated in Double; central differences with step 1e-3 in
/// Float32, so the tolerance is 2e-2 of the largest gradient (scale floor 1e-2 for gradients
/// that are zero in exact arithmetic, such as attention's key bias).
@Suite("Finite-difference gradient checks", .onEveryGEMMImplementation)
struct GradientCheckTests {
    /// Compares analytic gradients with central differences for the input and every parameter.
    static func check(
        input: Tensor, store: ParameterStore?, upstreamSeed: UInt64 = 7,
        forward: () -> Tensor, backward: (Tensor) -> Tensor?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let output = forward()
        var generator = SeededGenerator(seed: upstreamSeed)
        let upstream = Tensor(shape: output.shape)
        for index in 0..<upstream.count { upstream[flat: index] = generator.nextNormal() }
        func loss() -> Double {
            let y = forward()
            var total: Double = 0
            for index in 0..<y.count { total += Double(y[flat: index]) * Double(upstream[flat: index]) }
            return total
        }
        store?.zeroGradients()
        _ = forward()
        let analyticInput = backward(upstream)?.toArray()
        let step: Float = 1e-3

        func numeric(_ values: UnsafeMutablePointer<Float>, count: Int) -> [Float] {
            (0..<count).map { index in
                let saved = values[index]
                values[index] = saved + step
                let plus = loss()
                values[index] = saved - step
                let minus = loss()
                values[index] = saved
                return Float((plus - minus) / Double(2 * step))
            }
        }
        if let analyticInput {
            Tolerance.expectClose(analyticInput, numeric(input.pointer, count: input.count), relative: 2e-2,
                                  floor: 1e-2, "input gradient", sourceLocation: sourceLocation)
        }
        guard let store else { return }
        for entry in store.entries where entry.kind == .parameter {
            let analytic = store.gradientValues(of: entry)
            let numericValues = numeric(store.parameters + entry.offset, count: entry.count)
            Tolerance.expectClose(analytic, numericValues, relative: 2e-2, floor: 1e-2, "gradient of \(entry.name)",
                                  sourceLocation: sourceLocation)
        }
    }

    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let tensor = Tensor(shape: shape)
        for index in 0..<tensor.count { tensor[flat: index] = generator.nextNormal() }
        return tensor
    }

    @Test func conv1dWithKernelFive() {
        let store = ParameterStore()
        let layer = Conv1d(inputChannels: 3, outputChannels: 4, kernelSize: 5, padding: 2, name: "c", store: store)
        store.allocate()
        var generator = SeededGenerator(seed: 1)
        layer.resetParameters(generator: &generator)
        let input = Self.random([2, 7, 3], seed: 2)
        Self.check(input: input, store: store, forward: { layer.forward(input) }, backward: { layer.backward($0) })
    }

    @Test func batchNormInTraining() {
        let store = ParameterStore()
        let layer = BatchNorm1d(features: 4, name: "b", store: store)
        store.allocate()
        layer.resetParameters()
        try? store.setValues([0.5, 1.5, -1, 2], of: store.entries[0])
        try? store.setValues([0.1, -0.2, 0.3, 0], of: store.entries[1])
        let input = Self.random([3, 5, 4], seed: 3)
        Self.check(input: input, store: store, forward: { layer.forward(input, training: true) },
                   backward: { layer.backward($0) })
    }

    @Test func maxPoolWithKernelThreeAndRaggedTail() {
        let layer = MaxPool1d(kernelSize: 3)
        let input = Self.random([2, 8, 3], seed: 4)
        Self.check(input: input, store: nil, forward: { layer.forward(input) }, backward: { layer.backward($0) })
    }

    @Test func linearOnThreeDimensionalInput() {
        let store = ParameterStore()
        let layer = Linear(inputFeatures: 5, outputFeatures: 3, name: "l", store: store)
        store.allocate()
        var generator = SeededGenerator(seed: 5)
        layer.resetParameters(generator: &generator)
        let input = Self.random([2, 3, 5], seed: 6)
        Self.check(input: input, store: store, forward: { layer.forward(input) }, backward: { layer.backward($0) })
    }

    @Test(arguments: [(1, false), (3, false), (2, true)])
    func lstm(layers: Int, bidirectional: Bool) {
        let store = ParameterStore()
        let layer = LSTM(inputSize: 2, hiddenSize: 3, layerCount: layers, bidirectional: bidirectional,
                         name: "lstm", store: store)
        store.allocate()
        var generator = SeededGenerator(seed: 8)
        layer.resetParameters(generator: &generator)
        let input = Self.random([2, 5, 2], seed: 9)
        Self.check(input: input, store: store, forward: { layer.forward(input) }, backward: { layer.backward($0) })
    }

    @Test func attentionWithThreeHeads() {
        let store = ParameterStore()
        let layer = MultiHeadSelfAttention(dimension: 6, heads: 3, headDimension: 2, name: "mha", store: store)
        store.allocate()
        var generator = SeededGenerator(seed: 10)
        layer.resetParameters(generator: &generator)
        let input = Self.random([2, 4, 6], seed: 11)
        Self.check(input: input, store: store, forward: { layer.forward(input) }, backward: { layer.backward($0) })
    }

    @Test func crossEntropy() {
        let criterion = CrossEntropy()
        let logits = Self.random([4, 5], seed: 12)
        let labels: [Int32] = [0, 4, 2, 2]
        _ = criterion.forward(logits: logits, labels: labels)
        let analytic = criterion.dLogits.toArray()
        var numeric: [Float] = []
        for index in 0..<logits.count {
            let saved = logits[flat: index]
            logits[flat: index] = saved + 1e-2
            let plus = Double(criterion.forward(logits: logits, labels: labels))
            logits[flat: index] = saved - 1e-2
            let minus = Double(criterion.forward(logits: logits, labels: labels))
            logits[flat: index] = saved
            numeric.append(Float((plus - minus) / 2e-2))
        }
        Tolerance.expectClose(analytic, numeric, relative: 2e-2, "logit gradient")
    }

    @Test(arguments: ModelConfiguration.Variant.allCases)
    func wholeModel(variant: ModelConfiguration.Variant) throws {
        var configuration = ModelConfiguration(inputChannels: 2, classCount: 3, variant: variant)
        configuration.convChannels = [3, 4]
        configuration.kernelSize = 5
        configuration.lstmHidden = 3
        configuration.lstmLayers = 2
        configuration.dropout = 0
        configuration.heads = 2
        configuration.headDim = 2
        let model = try CNNLSTM(configuration: configuration, seed: 13)
        let input = Self.random([3, 2, 9], seed: 14)
        let criterion = CrossEntropy()
        let labels: [Int32] = [0, 2, 1]
        // The model's loss replaces sum(output * upstream): the upstream is dLoss/dLogits.
        func loss() throws -> Double {
            var generator = SeededGenerator(seed: 0)
            return Double(criterion.forward(logits: try model.forward(input, training: true, generator: &generator),
                                            labels: labels))
        }
        _ = try loss()
        model.parameters.zeroGradients()
        model.backward(criterion.dLogits)
        // Per-element differences drown in float32 noise for a whole network, so each tensor is
        // checked along its own gradient direction u = g / |g|: the loss must change at rate |g|,
        // which a gradient wrong in direction or size cannot satisfy (Cauchy-Schwarz).
        let store = model.parameters
        let step: Float = 2e-3
        for entry in store.entries where entry.kind == .parameter {
            let gradient = store.gradientValues(of: entry)
            let norm = Float(gradient.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot())
            let values = store.parameters + entry.offset
            let direction = gradient.map { norm > 1e-6 ? $0 / norm : 0 }
            guard norm > 1e-6 else { continue }  // zero in exact arithmetic (bias before BatchNorm)
            let original = Array(UnsafeBufferPointer(start: values, count: entry.count))
            for index in 0..<entry.count { values[index] = original[index] + step * direction[index] }
            let plus = try loss()
            for index in 0..<entry.count { values[index] = original[index] - step * direction[index] }
            let minus = try loss()
            for index in 0..<entry.count { values[index] = original[index] }
            let numeric = Float((plus - minus) / Double(2 * step))
            #expect(abs(numeric - norm) <= 2e-2 * max(norm, 1e-2),
                    "\(variant) \(entry.name): directional derivative \(numeric), gradient norm \(norm)")
        }
    }
}
