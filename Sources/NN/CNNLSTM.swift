import Tensor

/// The CNN+LSTM detector of DESIGN.md, compatible with the PyTorch reference module:
///
///     input (N, C, L)
///     [Conv1d(k, pad k/2) BatchNorm1d ReLU MaxPool1d(2)] per conv block   conv.{4b}, conv.{4b+1}
///     Dropout(p)
///     LSTM(H, layers, bidirectional for bilstm/attention)                  lstm.*
///     head: LastStepHead, the last time step (lstm, bilstm), or
///           AttentionHead, BatchNorm1d(y + MHA(y)) averaged over time      mha.*, bn.*
///     Linear(D -> classes)                                                 fc
///
/// Activations run channels-last, (N, L, C), so the convolution output feeds the batch-first
/// LSTM without a transpose. All state lives in `parameters`, named like PyTorch's `state_dict`.
public final class CNNLSTM: SequenceClassifier {
    public let configuration: ModelConfiguration
    /// Every parameter, gradient and buffer, flat.
    public let parameters = ParameterStore()

    private let convolutions: [Conv1d]
    /// Each block's BatchNorm1d with its ReLU and MaxPool1d(2) fused in.
    private let normalizations: [BatchNorm1d]
    private let poolSize = 2
    private let dropout: Dropout
    private let lstm: LSTM
    /// The last time step (lstm, bilstm) or the attention block (attention).
    private let head: any SequenceHead
    private let classifier: Linear

    private let channelsLastInput = Tensor(shape: [0])  // (N, L, C)

    /// Builds the layers and initialises them as PyTorch does, from `seed`.
    public init(configuration: ModelConfiguration, seed: UInt64 = 0) throws(ModelError) {
        try configuration.validate()
        self.configuration = configuration
        let store = parameters
        let padding = configuration.kernelSize / 2
        var convolutions: [Conv1d] = []
        var normalizations: [BatchNorm1d] = []
        var channels = configuration.inputChannels
        for (block, outputChannels) in configuration.convChannels.enumerated() {
            convolutions.append(Conv1d(
                inputChannels: channels, outputChannels: outputChannels,
                kernelSize: configuration.kernelSize, padding: padding,
                name: "conv.\(4 * block)", store: store))
            normalizations.append(BatchNorm1d(features: outputChannels, name: "conv.\(4 * block + 1)", store: store))
            channels = outputChannels
        }
        self.convolutions = convolutions
        self.normalizations = normalizations
        dropout = Dropout(probability: configuration.dropout)
        lstm = LSTM(inputSize: channels, hiddenSize: configuration.lstmHidden,
                    layerCount: configuration.lstmLayers, bidirectional: configuration.variant.isBidirectional,
                    name: "lstm", store: store)
        let width = configuration.recurrentWidth
        if configuration.variant.hasAttention {
            head = AttentionHead(width: width, heads: configuration.heads, headDimension: configuration.headDim, store: store)
        } else {
            head = LastStepHead()
        }
        classifier = Linear(inputFeatures: width, outputFeatures: configuration.classCount, name: "fc", store: store)
        store.allocate()
        resetParameters(seed: seed)
    }

    /// PyTorch's default initialisation of every layer, drawn from a generator seeded with `seed`.
    public func resetParameters(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for (convolution, normalization) in zip(convolutions, normalizations) {
            convolution.resetParameters(generator: &generator)
            normalization.resetParameters()
        }
        lstm.resetParameters(generator: &generator)
        head.resetParameters(generator: &generator)
        classifier.resetParameters(generator: &generator)
    }

    /// Throws unless `shape` is an input this model accepts: (N, C, L) with the configured C, at
    /// least one sample (two in training, for the batch statistics) and L long enough to survive
    /// the pooling.
    public func checkInput(shape: [Int], training: Bool) throws(ModelError) {
        let expected = "(N, \(configuration.inputChannels), L)"
        guard shape.count == 3, shape[1] == configuration.inputChannels else {
            throw .inputShape("the model takes input of shape \(expected), got \(shape)")
        }
        guard shape[0] >= (training ? 2 : 1) else {
            throw .inputShape("a \(training ? "training " : "")batch needs at least \(training ? 2 : 1) samples, got \(shape[0])")
        }
        guard configuration.recurrentLength(inputLength: shape[2]) >= 1 else {
            throw .inputShape("sequences of \(shape[2]) steps are too short for \(configuration.convChannels.count) pooling blocks")
        }
    }

    /// input (N, C, L) -> logits (N, classes). Training mode uses batch statistics and dropout
    /// (masks drawn from `generator`); evaluation mode uses running statistics and no dropout.
    /// Throws for an input shape the model cannot take (see `checkInput`).
    @discardableResult
    public func forward(_ input: Tensor, training: Bool, generator: inout SeededGenerator) throws(ModelError) -> Tensor {
        try checkInput(shape: input.shape, training: training)
        let (batch, channels, length) = (input.shape[0], input.shape[1], input.shape[2])
        channelsLastInput.resize(to: [batch, length, channels])
        Kernels.transpose(input.pointer, batch: batch, rows: channels, columns: length,
                          into: channelsLastInput.pointer)
        var x = channelsLastInput
        for block in convolutions.indices {
            x = convolutions[block].forward(x)
            x = normalizations[block].forward(x, training: training, reluAndMaxPool: poolSize)
        }
        x = dropout.forward(x, training: training, generator: &generator)
        let sequence = lstm.forward(x)                           // (N, T, D)
        let summary = head.forward(sequence, training: training)  // (N, D)
        return classifier.forward(summary)                       // (N, classes)
    }

    /// dLogits (N, classes) -> every parameter gradient (accumulated; zero them before each step).
    public func backward(_ dLogits: Tensor) {
        let dSummary = classifier.backward(dLogits)  // (N, D)
        let dSequence = head.backward(dSummary)      // (N, T, D): the gradient of the LSTM output
        var dx = dropout.backward(lstm.backward(dSequence))
        for block in convolutions.indices.reversed() {
            dx = normalizations[block].backward(dx)  // through the fused pool and ReLU too
            if let dInput = convolutions[block].backward(dx, computeInputGradient: block > 0) { dx = dInput }
        }
    }
}
