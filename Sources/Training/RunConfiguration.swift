import Foundation
import FileFormats
import NN

/// One training run as the run file describes it (DESIGN.md, "Data and the run file"): a flat JSON
/// object whose `data` says what the data is, `output` where results go, and every other key is a
/// hyperparameter, the same names a search samples. Unknown keys are errors.
public struct RunConfiguration: Sendable {
    /// The `data` section, interpreted by the data layer.
    public var data: JSONValue
    /// Top-level preprocessing keys that are searchable like hyperparameters (`layout`, `scaler`,
    /// `window`, `stride`), handed to the data layer with `data`.
    public var preprocessing: [String: JSONValue]
    /// The model's shape; its input channels and class count are filled in from the data.
    public var model: ModelConfiguration
    public var options: TrainingOptions
    /// The output folder (relative paths are relative to the working directory).
    public var output: String?

    /// Reads and checks a run file.
    public static func read(path: String) throws(JSONFileError) -> RunConfiguration {
        try parse(JSONValue.read(path: path), source: path)
    }

    /// Checks a parsed run file; every error names `source` and the field.
    public static func parse(_ document: JSONValue, source: String) throws(JSONFileError) -> RunConfiguration {
        var reader = try JSONObjectReader(document, source: source)
        guard let data = reader.value(.data) else {
            throw reader.error(.data, "is required: it says which files to train on (or {\"format\": \"synthetic\"})")
        }
        var preprocessing: [String: JSONValue] = [:]
        for key in Key.allCases where key.isPreprocessing {
            if let value = reader.value(key) { preprocessing[key.rawValue] = value }
        }

        var model = ModelConfiguration(inputChannels: 1, classCount: 2)
        if let variant = try reader.string(.variant) {
            guard let parsed = ModelConfiguration.Variant(name: variant) else {
                throw reader.error(.variant, "must be \(ModelConfiguration.Variant.nameList), not '\(variant)'")
            }
            model.variant = parsed
        }
        if let channels = try reader.integers(.convChannels) { model.convChannels = channels }
        if let kernel = try reader.integer(.kernelSize) { model.kernelSize = kernel }
        if let hidden = try reader.integer(.lstmHidden) { model.lstmHidden = hidden }
        if let layers = try reader.integer(.lstmLayers) { model.lstmLayers = layers }
        if let dropout = try reader.number(.dropout) { model.dropout = Float(dropout) }
        if let heads = try reader.integer(.heads) { model.heads = heads }
        if let headDim = try reader.integer(.headDim) { model.headDim = headDim }

        var options = TrainingOptions()
        if let batch = try reader.integer(.batchSize) { options.batchSize = batch }
        if let epochs = try reader.integer(.epochs) { options.epochs = epochs }
        if let lr = try reader.number(.learningRate) { options.learningRate = lr }
        if let decay = try reader.number(.weightDecay) { options.weightDecay = decay }
        if reader.isNull(.clipNorm) {
            options.clipNorm = nil  // clipping off
        } else if let clip = try reader.number(.clipNorm) {
            options.clipNorm = clip
        }
        if var plateau = try reader.object(.plateau) {
            if let factor = try plateau.number("factor") { options.plateauFactor = factor }
            if let patience = try plateau.integer("patience") { options.plateauPatience = patience }
            try plateau.rejectUnknownKeys()
        }
        if let seed = try reader.integer(.seed) {
            guard seed >= 0 else { throw reader.error(.seed, "must not be negative, got \(seed)") }
            options.seed = UInt64(seed)
        }
        if let threads = try reader.integer(.threads) { options.threads = threads }
        if let metric = try reader.string(.metric) { options.metric = metric }
        let output = try reader.string(.output)
        try reader.rejectUnknownKeys(known: Key.allCases.map(\.rawValue))

        do {
            try options.validate()
        } catch {
            if case .invalidSetting(let field, let message) = error {
                throw JSONFileError(source: source, field: field, message: message)
            }
            throw JSONFileError(source: source, field: nil, message: error.description)
        }
        do {
            try model.validate()
        } catch {
            if case .invalidConfiguration(let field, let message) = error {
                throw JSONFileError(source: source, field: field, message: message)
            }
            throw JSONFileError(source: source, field: nil, message: error.description)
        }
        return RunConfiguration(data: data, preprocessing: preprocessing, model: model, options: options, output: output)
    }
}
