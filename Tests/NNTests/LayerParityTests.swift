import NN
import Tensor
import TestSupport
import Testing

/// Every layer against PyTorch's tensors: output, input gradient and parameter gradients of
/// loss = sum(output * upstream). Tolerance: max |error| <= 1e-4 * max |reference| per tensor.
@Suite("Layer parity with PyTorch", .onEveryGEMMImplementation)
struct LayerParityTests {
    @Test func conv1d() throws {
        guard let fixture = try ParityFixture.load("conv1d") else { return }
        let store = ParameterStore()
        let layer = Conv1d(inputChannels: 6, outputChannels: 8, kernelSize: 3, padding: 1, name: "conv", store: store)
        store.allocate()
        try fixture.loadParameters(into: store, prefix: "conv")
        let output = layer.forward(Layout.channelsLast(try fixture.tensor("input")))
        Tolerance.expectClose(Layout.channelsFirst(output).toArray(), try fixture.floats("output"), "output")
        let dInput = try #require(layer.backward(Layout.channelsLast(try fixture.tensor("upstream"))))
        Tolerance.expectClose(Layout.channelsFirst(dInput).toArray(), try fixture.floats("grad/input"), "input gradient")
        try fixture.expectParameterGradients(store, prefix: "conv")
    }

    @Test(arguments: ["batchnorm1d_train", "batchnorm1d_eval"])
    func batchNorm1d(caseName: String) throws {
        guard let fixture = try ParityFixture.load(caseName) else { return }
        let training = caseName.hasSuffix("train")
        let store = ParameterStore()
        let layer = BatchNorm1d(features: 8, name: "bn", store: store)
        store.allocate()
        try fixture.loadParameters(into: store, prefix: "bn")
        let output = layer.forward(Layout.channelsLast(try fixture.tensor("input")), training: training)
        Tolerance.expectClose(Layout.channelsFirst(output).toArray(), try fixture.floats("output"), "output")
        for buffer in ["running_mean", "running_var"] {
            let entry = try #require(store.entry(named: "bn.\(buffer)"))
            Tolerance.expectClose(store.values(of: entry), try fixture.floats("after/\(buffer)"), buffer)
        }
        let counter = try #require(store.entry(named: "bn.num_batches_tracked"))
        #expect(store.counters[counter.offset] == (training ? 1 : 0))
        let dInput = layer.backward(Layout.channelsLast(try fixture.tensor("upstream")))
        Tolerance.expectClose(Layout.channelsFirst(dInput).toArray(), try fixture.floats("grad/input"), "input gradient")
        try fixture.expectParameterGradients(store, prefix: "bn")
    }

    @Test func maxPool1d() throws {
        guard let fixture = try ParityFixture.load("maxpool1d") else { return }
        let layer = MaxPool1d(kernelSize: 2)
        let output = layer.forward(Layout.channelsLast(try fixture.tensor("input")))
        Tolerance.expectClose(Layout.channelsFirst(output).toArray(), try fixture.floats("output"), "output")
        let dInput = layer.backward(Layout.channelsLast(try fixture.tensor("upstream")))
        Tolerance.expectClose(Layout.channelsFirst(dInput).toArray(), try fixture.floats("grad/input"), "input gradient")
    }

    @Test func relu() throws {
        guard let fixture = try ParityFixture.load("relu") else { return }
        let layer = ReLU()
        let output = layer.forward(try fixture.tensor("input"))
        Tolerance.expectClose(output.toArray(), try fixture.floats("output"), "output")
        let dInput = layer.backward(try fixture.tensor("upstream"))
        Tolerance.expectClose(dInput.toArray(), try fixture.floats("grad/input"), "input gradient")
    }

    @Test func linear() throws {
        guard let fixture = try ParityFixture.load("linear") else { return }
        let store = ParameterStore()
        let layer = Linear(inputFeatures: 12, outputFeatures: 5, name: "fc", store: store)
        store.allocate()
        try fixture.loadParameters(into: store, prefix: "fc")
        Tolerance.expectClose(layer.forward(try fixture.tensor("input")).toArray(), try fixture.floats("output"), "output")
        let dInput = layer.backward(try fixture.tensor("upstream"))
        Tolerance.expectClose(dInput.toArray(), try fixture.floats("grad/input"), "input gradient")
        try fixture.expectParameterGradients(store, prefix: "fc")
    }

    @Test(arguments: [("lstm", 1, false), ("lstm_bidirectional_2layer", 2, true)])
    func lstm(caseName: String, layers: Int, bidirectional: Bool) throws {
        guard let fixture = try ParityFixture.load(caseName) else { return }
        let store = ParameterStore()
        let layer = LSTM(inputSize: 5, hiddenSize: 4, layerCount: layers, bidirectional: bidirectional,
                         name: "lstm", store: store)
        store.allocate()
        try fixture.loadParameters(into: store, prefix: "lstm")
        Tolerance.expectClose(layer.forward(try fixture.tensor("input")).toArray(), try fixture.floats("output"), "output")
        let dInput = layer.backward(try fixture.tensor("upstream"))
        Tolerance.expectClose(dInput.toArray(), try fixture.floats("grad/input"), "input gradient")
        try fixture.expectParameterGradients(store, prefix: "lstm")
    }

    @Test func attention() throws {
        guard let fixture = try ParityFixture.load("attention") else { return }
        let store = ParameterStore()
        let layer = MultiHeadSelfAttention(dimension: 8, heads: 2, headDimension: 3, name: "mha", store: store)
        store.allocate()
        try fixture.loadParameters(into: store, prefix: "mha")
        Tolerance.expectClose(layer.forward(try fixture.tensor("input")).toArray(), try fixture.floats("output"), "output")
        let dInput = layer.backward(try fixture.tensor("upstream"))
        Tolerance.expectClose(dInput.toArray(), try fixture.floats("grad/input"), "input gradient")
        // The key bias cannot change the softmax (it adds the same q . b to every score of a row).
        try fixture.expectParameterGradients(store, prefix: "mha", exactlyZero: ["k.bias"])
    }

    @Test func crossEntropy() throws {
        guard let fixture = try ParityFixture.load("cross_entropy") else { return }
        let loss = CrossEntropy()
        let value = loss.forward(logits: try fixture.tensor("logits"), labels: try fixture.labels("target"))
        Tolerance.expectClose([value], try fixture.floats("loss"), "loss")
        Tolerance.expectClose(loss.dLogits.toArray(), try fixture.floats("grad/logits"), "logit gradient")
    }
}
