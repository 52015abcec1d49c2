import FileFormats

extension RunConfiguration {
    /// Every top-level key of a run file: the one list the reader accepts and the searchable keys
    /// come from.
    public enum Key: String, CaseIterable, Sendable {
        case data
        case layout, scaler, window, stride
        case variant
        case convChannels = "conv_channels"
        case kernelSize = "kernel_size"
        case lstmHidden = "lstm_hidden"
        case lstmLayers = "lstm_layers"
        case dropout, heads
        case headDim = "head_dim"
        case batchSize = "batch_size"
        case epochs
        case learningRate = "lr"
        case weightDecay = "weight_decay"
        case clipNorm = "clip_norm"
        case plateau, seed, threads, metric, output

        /// The preprocessing keys that live at the top level of the run file, handed to the data
        /// layer with `data`.
        public var isPreprocessing: Bool {
            switch self {
            case .layout, .scaler, .window, .stride: return true
            default: return false
            }
        }

        /// Whether a search may sample the key: all but `data`, `output`, `epochs` (set by the
        /// search budget), `seed` and `threads` (set per trial by the coordinator) and `metric`.
        public var isSearchable: Bool {
            switch self {
            case .data, .output, .epochs, .seed, .threads, .metric: return false
            default: return true
            }
        }
    }

    /// The run-file keys a search may sample (`Key.isSearchable`).
    public static let searchableKeys = Set(Key.allCases.filter(\.isSearchable).map(\.rawValue))
}

/// The reader's accessors by run-file key, so `parse` names keys only through `Key`.
extension JSONObjectReader {
    mutating func value(_ key: RunConfiguration.Key) -> JSONValue? { value(key.rawValue) }
    mutating func isNull(_ key: RunConfiguration.Key) -> Bool { isNull(key.rawValue) }
    mutating func string(_ key: RunConfiguration.Key) throws(JSONFileError) -> String? { try string(key.rawValue) }
    mutating func number(_ key: RunConfiguration.Key) throws(JSONFileError) -> Double? { try number(key.rawValue) }
    mutating func integer(_ key: RunConfiguration.Key) throws(JSONFileError) -> Int? { try integer(key.rawValue) }
    mutating func integers(_ key: RunConfiguration.Key) throws(JSONFileError) -> [Int]? { try integers(key.rawValue) }
    mutating func object(_ key: RunConfiguration.Key) throws(JSONFileError) -> JSONObjectReader? { try object(key.rawValue) }
    func error(_ key: RunConfiguration.Key, _ message: String) -> JSONFileError { error(key.rawValue, message) }
}
