import NN
import Tensor
import TestSupport
import Testing

/// The three whole variants against PyTorch: logits, loss, every parameter gradient, the gradient
/// norm before clipping, and every parameter and BatchNorm buffer after one clipped Adam step.
///
/// Two places are rounding noise on both sides and are checked for what they can show:
/// - Some gradients are zero in exact arithmetic: the convolution biases feed a training-mode
///   BatchNorm, and so do attention's value and output biases (constant shifts of every row), and
///   the key bias cannot change a softmax. PyTorch's values there are below 2e-8; both sides must
///   be below 1e-6.
/// - Adam's first step moves each value by lr * g / (|g| + eps): for a gradient entry below the
///   float32 noise (|g| below 1e-4 of its tensor's largest, or below 1e-6) the direction is arbitrary,
///   so those entries are checked to move by at most lr; all others must match PyTorch.
@Suite("Model parity with PyTorch", .onEveryGEMMImplementation)
struct ModelParityTests {
    @Test(arguments: [
        ("model_lstm", ModelConfiguration.Variant.lstm),
        ("model_bilstm", .bilstm),
        ("model_attention", .attention),
    ])
    func variant(caseName: String, variant: ModelConfiguration.Variant) throws {
        guard let fixture = try ParityFixture.load(caseName) else { return }
        var configuration = ModelConfiguration(inputChannels: 4, classCount: 3, variant: variant)
        configuration.lstmHidden = 8
        configuration.dropout = 0
        let model = try CNNLSTM(configuration: configuration)
        try fixture.loadParameters(into: model.parameters)

        var generator = SeededGenerator(seed: 0)
        let logits = try model.forward(try fixture.tensor("input"), training: true, generator: &generator)
        Tolerance.expectClose(logits.toArray(), try fixture.floats("logits"), "logits")
        let criterion = CrossEntropy()
        let loss = criterion.forward(logits: logits, labels: try fixture.labels("target"))
        Tolerance.expectClose([loss], try fixture.floats("loss"), "loss")

        model.parameters.zeroGradients()
        model.backward(criterion.dLogits)
        try fixture.expectParameterGradients(
            model.parameters,
            exactlyZero: ["conv.0.bias", "conv.4.bias", "mha.k.bias", "mha.v.bias", "mha.o.bias"])
        let before = Dictionary(uniqueKeysWithValues: model.parameters.entries.map { ($0.name, model.parameters.values(of: $0)) })

        let norm = GradientClipping.clip(model.parameters, maximumNorm: 0.5)
        Tolerance.expectClose([norm], try fixture.floats("grad_norm_before_clip"), "gradient norm")
        let adam = Adam(parameters: model.parameters, learningRate: 1e-2)
        adam.update()
        let afterNames = fixture.names(withPrefix: "after_step/")
        #expect(afterNames.count == model.parameters.entries.count)
        for name in afterNames {
            let entry = try #require(model.parameters.entry(named: name), "model has no \(name)")
            let ours = model.parameters.values(of: entry)
            let theirs = try fixture.floats("after_step/\(name)")
            guard entry.kind == .parameter else {
                Tolerance.expectClose(ours, theirs, "\(name) after one step")
                continue
            }
            let gradient = try fixture.floats("grad/\(name)")
            let resolvable = max((gradient.map(abs).max() ?? 0) * 1e-4, 1e-6)
            let original = try #require(before[name])
            var oursResolved: [Float] = [], theirsResolved: [Float] = []
            for index in ours.indices {
                if abs(gradient[index]) > resolvable {
                    oursResolved.append(ours[index])
                    theirsResolved.append(theirs[index])
                } else {
                    #expect(abs(ours[index] - original[index]) <= 1e-2 * 1.0001, "\(name)[\(index)] moved more than lr")
                }
            }
            Tolerance.expectClose(oursResolved, theirsResolved, "\(name) after one Adam step")
        }
    }

    @Test func parameterNamesMatchPyTorchStateDict() throws {
        guard let fixture = try ParityFixture.load("model_attention") else { return }
        var configuration = ModelConfiguration(inputChannels: 4, classCount: 3, variant: .attention)
        configuration.lstmHidden = 8
        let model = try CNNLSTM(configuration: configuration)
        let ours = Set(model.parameters.entries.map(\.name))
        let theirs = Set(fixture.names(withPrefix: "param/"))
        #expect(ours == theirs)
        for entry in model.parameters.entries {
            let reference = try fixture.array("param/\(entry.name)")
            #expect(entry.shape == reference.shape, "\(entry.name)")
        }
    }
}
