/// The shape of a CNN+LSTM detector; the keys are the run file's (`conv_channels`, `lstm_hidden`, ...).
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// Which recurrent head the model has.
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// LSTM, classifying from the last time step.
        case lstm
        /// Bidirectional LSTM, classifying from the last time step.
        case bilstm
        /// Bidirectional LSTM, then BatchNorm(y + attention(y)) averaged over time.
        case attention

        /// The variant called `name` in a run file or on the command line; `attn` is short for `attention`.
        public init?(name: String) {
            self.init(rawValue: name == "attn" ? "attention" : name)
        }

        /// Every variant's name for messages: `lstm, bilstm or attention`.
        public static var nameList: String {
            let names = allCases.map(\.rawValue)
            return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        }

        public var isBidirectional: Bool { self != .lstm }
        public var hasAttention: Bool { self == .attention }
    }

    /// C, the features per time step of the input (N, C, L).
    public var inputChannels: Int
    /// The number of classes the final layer scores.
    public var classCount: Int
    public var variant: Variant = .lstm
    /// Output channels of each convolution block (Conv1d, BatchNorm1d, ReLU, MaxPool1d(2)).
    public var convChannels: [Int] = [128, 256]
    /// Convolution kernel size; padding is kernelSize / 2 so odd sizes keep the length.
    public var kernelSize: Int = 3
    public var lstmHidden: Int = 128
    public var lstmLayers: Int = 1
    /// Dropout after the convolutions.
    public var dropout: Float = 0.3
    /// Attention heads and the width of each (attention variant only).
    public var heads: Int = 4
    public var headDim: Int = 64

    public init(inputChannels: Int, classCount: Int, variant: Variant = .lstm) {
        self.inputChannels = inputChannels
        self.classCount = classCount
        self.variant = variant
    }

    enum CodingKeys: String, CodingKey {
        case inputChannels = "input_channels"
        case classCount = "classes"
        case variant
        case convChannels = "conv_channels"
        case kernelSize = "kernel_size"
        case lstmHidden = "lstm_hidden"
        case lstmLayers = "lstm_layers"
        case dropout
        case heads
        case headDim = "head_dim"
    }

    /// The width of the LSTM output: H, or 2H when bidirectional.
    public var recurrentWidth: Int { lstmHidden * (variant.isBidirectional ? 2 : 1) }

    /// The sequence length entering the LSTM for an input of length L.
    public func recurrentLength(inputLength: Int) -> Int {
        var length = inputLength
        for _ in convChannels {
            length = (length + 2 * (kernelSize / 2) - kernelSize + 1) / 2
        }
        return length
    }

    /// Throws a readable error for any setting the model cannot be built with.
    public func validate(inputLength: Int? = nil) throws(ModelError) {
        func require(_ condition: Bool, _ field: String, _ message: String) throws(ModelError) {
            if !condition { throw ModelError.invalidConfiguration(field: field, message: message) }
        }
        try require(inputChannels >= 1, "input_channels", "must be at least 1, got \(inputChannels)")
        try require(classCount >= 2, "classes", "a classifier needs at least 2 classes, got \(classCount)")
        try require(!convChannels.isEmpty && convChannels.allSatisfy { $0 >= 1 }, "conv_channels",
                    "must list at least one positive channel count, got \(convChannels)")
        try require(kernelSize >= 1, "kernel_size", "must be at least 1, got \(kernelSize)")
        try require(lstmHidden >= 1, "lstm_hidden", "must be at least 1, got \(lstmHidden)")
        try require(lstmLayers >= 1, "lstm_layers", "must be at least 1, got \(lstmLayers)")
        try require(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got \(dropout)")
        if variant.hasAttention {
            try require(heads >= 1, "heads", "must be at least 1, got \(heads)")
            try require(headDim >= 1, "head_dim", "must be at least 1, got \(headDim)")
        }
        if let inputLength {
            let length = recurrentLength(inputLength: inputLength)
            try require(length >= 1, "conv_channels",
                        "\(convChannels.count) pooling blocks shrink a sequence of \(inputLength) steps to nothing; "
                        + "use fewer blocks or longer sequences")
        }
    }
}

/// Errors in a model's configuration or use.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(field: String, message: String)
    case inputShape(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let message): return "model setting '\(field)' \(message)"
        case .inputShape(let message): return message
        }
    }
}
