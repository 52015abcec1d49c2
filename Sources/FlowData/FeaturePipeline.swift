import Foundation

/// The fitted preprocessing of a run, everything needed to turn new files into model input the
/// way the training data was prepared: columns read, one-hot vocabularies, scaler, layout and
/// class names. Stored in checkpoints (`metadata()`) and restored for `tune predict`.
public struct FeaturePipeline: Codable, Sendable, Equatable {
    public var format: DataFormat
    /// CSV formats: the label column (optional in prediction input).
    public var labelColumn: String?
    /// CSV formats: the numeric and symbolic columns read from each file.
    public var inputNumericColumns: [String]
    public var inputSymbolicColumns: [String]
    /// CSV formats: kept columns and one-hot vocabularies; nil for npy.
    public var encoder: FeatureEncoder?
    public var scaler: Scaler
    public var labelMode: LabelMode
    public var normalLabel: String?
    public var layout: Layout
    public var window: Int
    public var stride: Int
    /// npy: X files are `(N, L, C)`.
    public var transpose: Bool
    /// The sample shape `(C, L)`.
    public var channels: Int
    public var length: Int
    public var classNames: [String]
    public var featureNames: [String]

    /// Flows per sample: the window size, or 1 for the features layout.
    var span: Int { layout == .window ? window : 1 }

    // MARK: - Checkpoint metadata

    /// Key of the pipeline's JSON in checkpoint metadata.
    public static let metadataKey = "data.pipeline"

    /// String metadata for a checkpoint: the pipeline as JSON plus readable copies.
    public func metadata() throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        return [
            Self.metadataKey: try json(self),
            "data.class_names": try json(classNames),
            "data.feature_names": try json(featureNames),
            "data.scaler": scaler.choice.name,
            "data.layout": layout.rawValue,
        ]
    }

    // MARK: - Shared steps

    /// The scaled rows samples are made of: written straight into each sample when a sample is
    /// one row, computed once into a matrix when windows share rows.
    struct ScaledRows {
        let encoded: EncodedTable
        let scaling: RowScaling
        let matrix: [Float]?  // (R, F), window layout only
    }

    /// `encoded` ready to be cut into samples by this pipeline's scaler and layout.
    func scaledRows(_ encoded: EncodedTable) -> ScaledRows {
        // FlowDataset builds them together and FeaturePipeline(metadata:) checks stored ones.
        precondition(scaler.featureCount == encoded.featureCount, "the scaler and the encoder disagree on the features")
        let scaling = RowScaling(scaler: scaler)
        let matrix = layout == .window ? encoded.scaledRows(scaling: scaling) : nil
        return ScaledRows(encoded: encoded, scaling: scaling, matrix: matrix)
    }

    /// The first row of each sample: every row (features layout) or each window's first flow.
    func sampleStarts(fileIndices: [Int32]) -> [Int] {
        Self.sampleStarts(layout: layout, window: window, stride: stride, fileIndices: fileIndices)
    }

    /// The first row of each sample of `layout` among rows from the files `fileIndices`.
    static func sampleStarts(layout: Layout, window: Int, stride: Int, fileIndices: [Int32]) -> [Int] {
        switch layout {
        case .features: return Array(fileIndices.indices)
        case .window: return Windowing.windowStarts(fileIndices: fileIndices, window: window, stride: stride)
        }
    }

    /// Samples `(N, C, L)`, one per start.
    func assemble(_ rows: ScaledRows, starts: [Int], labels: [Int32]) -> SampleSet {
        let featureCount = rows.encoded.featureCount
        if let matrix = rows.matrix {
            let values = Windowing.assemble(rows: matrix, featureCount: featureCount, starts: starts, window: window)
            return SampleSet(values: values, labels: labels, channels: featureCount, length: window)
        }
        let values = [Float](unsafeUninitializedCapacity: starts.count * featureCount) { buffer, initialized in  // (N, 1, F)
            guard let base = buffer.baseAddress else { return }
            for (sample, start) in starts.enumerated() {
                rows.encoded.writeScaledRow(start, scaling: rows.scaling, into: base + sample * featureCount)
            }
            initialized = starts.count * featureCount
        }
        return SampleSet(values: values, labels: labels, channels: 1, length: featureCount)
    }

    /// Scales npy samples `(N, C, L)` in place, one scale per channel.
    static func scaleChannels(_ values: inout SampleValues, channels: Int, length: Int, scaler: Scaler) {
        let sampleSize = channels * length
        guard sampleSize > 0 else { return }
        values.withUnsafeMutableBufferPointer { values in
            for sample in 0..<(values.count / sampleSize) {
                for channel in 0..<channels {
                    let base = sample * sampleSize + channel * length
                    for step in 0..<length {
                        values[base + step] = Float(scaler.transform(Double(values[base + step]), feature: channel))
                    }
                }
            }
        }
    }

    // MARK: - Prediction input

    /// New data prepared like the training data: `files` (CSV files or globs, or one npy X file)
    /// and for npy an optional label file. Rows with NaN/inf are skipped and reported.
    public func prepare(files: [String], labels labelsPath: String? = nil) throws -> PredictionInput {
        let paths = try FileGlob.expand(files)
        guard !paths.isEmpty else { throw DataError.noMatchingFiles(pattern: files.joined(separator: " ")) }
        if format == .npy { return try prepareNPY(paths: paths, labelsPath: labelsPath) }
        guard let encoder else {
            throw DataError.invalidState(what: "preprocessing", reason: "a \(format.rawValue) pipeline without a feature encoder")
        }
        var schema = FlowSchema.schema(for: format == .synthetic ? .csv : format)
        if format == .synthetic { schema.defaultLabel = "label" }
        let selection = ColumnSelection(
            numeric: inputNumericColumns, symbolic: inputSymbolicColumns, label: labelColumn ?? "label", dropped: [])
        var reader = FlowTableReader(schema: schema, selection: selection)
        reader.requireLabels = false
        var table = try reader.read(files: paths)
        var skipped: [String] = []
        var keep: [Int] = []
        let width = table.numericNames.count
        for row in 0..<table.rowCount {
            if (0..<width).allSatisfy({ table.numeric[row * width + $0].isFinite }) {
                keep.append(row)
            } else {
                skipped.append(table.location(ofRow: row))
            }
        }
        if !skipped.isEmpty { table = table.selecting(rows: keep) }
        let encoded = try EncodedTable(table: table, encoder: encoder)
        let starts = sampleStarts(fileIndices: table.fileIndices)
        var labels: [Int32] = []
        if table.hasLabels {
            var classIndex: [String: Int32] = [:]
            for (index, name) in classNames.enumerated() { classIndex[name] = Int32(index) }
            let classOfCode: [Int32] = table.labelNames.map { label in
                guard let mapped = try? labelMode.map(label, schema: schema, normalLabel: normalLabel, location: "") else { return -1 }
                return classIndex[mapped] ?? -1
            }
            labels = starts.map { classOfCode[Int(table.labelCodes[$0 + span - 1])] }
        }
        var samples = assemble(scaledRows(encoded), starts: starts, labels: labels)
        if labels.isEmpty { samples.labels = [] }
        return PredictionInput(
            samples: samples, origins: starts.map { table.location(ofRow: $0 + span - 1) },
            skippedRows: skipped, unknownCategories: encoded.unknownCategories)
    }

    private func prepareNPY(paths: [String], labelsPath: String?) throws -> PredictionInput {
        guard paths.count == 1, let path = paths.first else {
            throw DataError.invalidSpec(field: "input", reason: "npy input is one X file, got \(paths.count)")
        }
        var x = try NPYDataset.readSamples(path: path, transpose: transpose)
        guard x.channels == channels, x.length == length else {
            throw DataError.inconsistent(
                source: path, reason: "samples are \(x.channels) x \(x.length), the model was trained on \(channels) x \(length)")
        }
        var labels: [Int32] = []
        if let labelsPath {
            let y = try NPYDataset.readLabels(path: labelsPath, count: x.count, xPath: path)
            var classIndex: [String: Int32] = [:]
            for (index, name) in classNames.enumerated() { classIndex[name] = Int32(index) }
            labels = y.names(mode: labelMode, normalLabel: normalLabel).map { classIndex[$0] ?? -1 }
        }
        let finite = (0..<x.count).filter { sample in
            x.values[(sample * x.sampleSize)..<((sample + 1) * x.sampleSize)].allSatisfy(\.isFinite)
        }
        let skipped = Set(0..<x.count).subtracting(finite).sorted().map { "\(path) sample \($0)" }
        x.labels = labels
        if !skipped.isEmpty { x = x.selecting(finite) }
        Self.scaleChannels(&x.values, channels: channels, length: length, scaler: scaler)
        return PredictionInput(
            samples: x, origins: finite.map { "\(path) sample \($0)" }, skippedRows: skipped, unknownCategories: [:])
    }
}

/// New data ready for a trained model.
public struct PredictionInput: Sendable {
    /// Samples `(N, C, L)`; labels are class indices (-1 for a label that is not a training
    /// class), or empty when the input has no labels.
    public var samples: SampleSet
    /// Where each sample's (last) flow came from: `file line N` or `file sample i`.
    public var origins: [String]
    /// Rows skipped for NaN or infinite values, by location.
    public var skippedRows: [String]
    /// Per symbolic column, rows whose category was never seen in training.
    public var unknownCategories: [String: Int]
}

extension FeaturePipeline {
    /// The pipeline stored by `metadata()`.
    public init(metadata: [String: String]) throws {
        guard let text = metadata[Self.metadataKey] else {
            throw DataError.invalidState(what: "preprocessing", reason: "the checkpoint has no '\(Self.metadataKey)' entry")
        }
        do {
            self = try JSONDecoder().decode(FeaturePipeline.self, from: Data(text.utf8))
        } catch {
            throw DataError.invalidState(what: "preprocessing", reason: "\(error)")
        }
        let features = layout == .window || format == .npy ? channels : length
        guard scaler.featureCount == features else {
            throw DataError.invalidState(
                what: "preprocessing", reason: "the scaler has \(scaler.featureCount) features, the samples \(features)")
        }
        if let encoder, encoder.featureCount != features {
            throw DataError.invalidState(
                what: "preprocessing", reason: "the feature encoder makes \(encoder.featureCount) features, the samples have \(features)")
        }
    }
}
