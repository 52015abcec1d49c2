import Foundation

/// How flows become samples: `features` makes each flow's F features a sequence `(C=1, L=F)`
/// (the upstream notebook's layout); `window` makes W consecutive flows of one file a sample
/// `(C=F, L=W)`, labelled by its last flow.
public enum Layout: String, Codable, Sendable, CaseIterable {
    case features
    case window
}

/// The `data` section of a run file (DESIGN.md, "Data and the run file"), plus the searchable
/// preprocessing keys `layout`, `scaler`, `window` and `stride`. JSON keys are snake_case;
/// unknown keys are errors.
public struct DataSpec: Codable, Sendable, Equatable {
    public var format: DataFormat
    /// Files or globs of the training split (X for npy).
    public var train: [String] = []
    /// Files or globs of the test split; empty for none.
    public var test: [String] = []
    /// npy: the label file of the training split (y, `(N,)`).
    public var labels: String?
    /// npy: the label file of the test split.
    public var testLabels: String?
    /// CSV: the label column (defaults: `Label`, NSL-KDD's attack name, UNSW-NB15's `attack_cat`).
    public var label: String?
    /// CSV: extra columns to leave out of the features.
    public var drop: [String] = []
    /// CSV: extra columns holding categories, one-hot encoded.
    public var symbolic: [String] = []
    /// CSV: drop the format's identifier columns (flow ids, addresses, timestamps).
    public var dropIdentifiers = true
    /// Two classes, normal and attack, instead of one per label.
    public var binary = false
    /// NSL-KDD: the five classes normal, dos, probe, r2l, u2r instead of attack names
    /// (default true for nsl-kdd, the literature's 5-class setting).
    public var families: Bool?
    /// Binary mode: the label of benign traffic, when not `BENIGN`/`normal`.
    public var normalLabel: String?
    /// The share of training samples held out for validation, per class.
    public var valFraction = 0.2
    /// At most this many training rows per class, chosen at random before the split.
    public var maxPerClass: Int?
    /// Seeds the validation split and the per-class cap. Part of the data, not of a run: every
    /// trial of a search (and every run of a benchmark) validates on the same samples whatever its
    /// model seed, so their metrics compare.
    public var splitSeed: UInt64 = 0
    /// npy: X is `(N, L, C)` and is transposed to `(N, C, L)`.
    public var transpose = false
    public var layout: Layout = .features
    public var scaler: ScalerChoice = .recommended
    /// Window layout: flows per window.
    public var window = 16
    /// Window layout: flows between window starts (default: the window size, no overlap, so
    /// validation windows share no flow with training windows).
    public var stride: Int?
    /// Synthetic: how many flows to generate for training (and a quarter as many for test).
    public var flows = 6000
    /// Synthetic: the generator's seed (fixed by default, so every trial sees the same data).
    public var syntheticSeed: UInt64 = 0

    public init(format: DataFormat) {
        self.format = format
    }

    /// The window stride in effect.
    public var effectiveStride: Int { stride ?? window }

    /// Families mode in effect (true by default for NSL-KDD).
    public var effectiveFamilies: Bool { families ?? (format == .nslKDD) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, train, test, labels, testLabels = "test_labels", label, drop, symbolic
        case dropIdentifiers = "drop_identifiers", binary, families, normalLabel = "normal_label"
        case valFraction = "val_fraction", maxPerClass = "max_per_class", splitSeed = "split_seed", transpose, layout, scaler
        case window, stride, flows, syntheticSeed = "synthetic_seed"
    }

    /// Reads a spec from JSON; every error names the field at fault.
    public static func decode(json: [UInt8]) throws -> DataSpec {
        do {
            return try JSONDecoder().decode(DataSpec.self, from: Data(json))
        } catch let error as DataError {
            throw error
        } catch let error as DecodingError {
            throw Self.describe(error)
        }
    }

    /// Reads a spec from JSON text.
    public static func decode(json: String) throws -> DataSpec {
        try decode(json: Array(json.utf8))
    }

    public init(from decoder: Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for key in any.allKeys where !known.contains(key.stringValue) {
            throw DataError.invalidSpec(
                field: key.stringValue,
                reason: "unknown key; the data section takes \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.format) else {
            throw DataError.invalidSpec(field: "format", reason: "is required: one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let formatName = try container.decode(String.self, forKey: .format)
        guard let format = DataFormat(rawValue: formatName) else {
            throw DataError.invalidSpec(
                field: "format",
                reason: "'\(formatName)' is not a format; use one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(format: format)
        train = try Self.paths(container, .train)
        test = try Self.paths(container, .test)
        labels = try container.decodeIfPresent(String.self, forKey: .labels).map(Self.expandDataDirectory)
        testLabels = try container.decodeIfPresent(String.self, forKey: .testLabels).map(Self.expandDataDirectory)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        drop = try container.decodeIfPresent([String].self, forKey: .drop) ?? []
        symbolic = try container.decodeIfPresent([String].self, forKey: .symbolic) ?? []
        dropIdentifiers = try container.decodeIfPresent(Bool.self, forKey: .dropIdentifiers) ?? true
        binary = try container.decodeIfPresent(Bool.self, forKey: .binary) ?? false
        families = try container.decodeIfPresent(Bool.self, forKey: .families)
        normalLabel = try container.decodeIfPresent(String.self, forKey: .normalLabel)
        valFraction = try container.decodeIfPresent(Double.self, forKey: .valFraction) ?? 0.2
        maxPerClass = try Self.integer(container, .maxPerClass)
        if let seed = try Self.integer(container, .splitSeed) {
            guard seed >= 0 else { throw DataError.invalidSpec(field: "split_seed", reason: "must not be negative, got \(seed)") }
            splitSeed = UInt64(seed)
        }
        transpose = try container.decodeIfPresent(Bool.self, forKey: .transpose) ?? false
        if let layoutName = try container.decodeIfPresent(String.self, forKey: .layout) {
            guard let layout = Layout(rawValue: layoutName) else {
                throw DataError.invalidSpec(field: "layout", reason: "'\(layoutName)' is not a layout; use features or window")
            }
            self.layout = layout
        }
        if let scalerName = try container.decodeIfPresent(String.self, forKey: .scaler) {
            scaler = try ScalerChoice(name: scalerName)
        }
        window = try Self.integer(container, .window) ?? 16
        stride = try Self.integer(container, .stride)
        flows = try Self.integer(container, .flows) ?? 6000
        if let seed = try Self.integer(container, .syntheticSeed) {
            guard seed >= 0 else { throw DataError.invalidSpec(field: "synthetic_seed", reason: "must not be negative, got \(seed)") }
            syntheticSeed = UInt64(seed)
        }
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format.rawValue, forKey: .format)
        if !train.isEmpty { try container.encode(train, forKey: .train) }
        if !test.isEmpty { try container.encode(test, forKey: .test) }
        try container.encodeIfPresent(labels, forKey: .labels)
        try container.encodeIfPresent(testLabels, forKey: .testLabels)
        try container.encodeIfPresent(label, forKey: .label)
        if !drop.isEmpty { try container.encode(drop, forKey: .drop) }
        if !symbolic.isEmpty { try container.encode(symbolic, forKey: .symbolic) }
        if !dropIdentifiers { try container.encode(false, forKey: .dropIdentifiers) }
        try container.encode(binary, forKey: .binary)
        try container.encodeIfPresent(families, forKey: .families)
        try container.encodeIfPresent(normalLabel, forKey: .normalLabel)
        try container.encode(valFraction, forKey: .valFraction)
        try container.encodeIfPresent(maxPerClass, forKey: .maxPerClass)
        try container.encode(splitSeed, forKey: .splitSeed)
        if transpose { try container.encode(true, forKey: .transpose) }
        try container.encode(layout.rawValue, forKey: .layout)
        try container.encode(scaler.name, forKey: .scaler)
        try container.encode(window, forKey: .window)
        try container.encodeIfPresent(stride, forKey: .stride)
        if format == .synthetic {
            try container.encode(flows, forKey: .flows)
            try container.encode(syntheticSeed, forKey: .syntheticSeed)
        }
    }

    /// Checks ranges and that each key makes sense for the format; errors name the field.
    public func validate() throws {
        func require(_ condition: Bool, _ field: String, _ reason: @autoclosure () -> String) throws {
            if !condition { throw DataError.invalidSpec(field: field, reason: reason()) }
        }
        try require(valFraction >= 0 && valFraction < 1, "val_fraction", "must be at least 0 and below 1, got \(valFraction)")
        if let maxPerClass { try require(maxPerClass >= 1, "max_per_class", "must be at least 1, got \(maxPerClass)") }
        try require(window >= 1, "window", "must be at least 1, got \(window)")
        if let stride { try require(stride >= 1, "stride", "must be at least 1, got \(stride)") }
        switch format {
        case .synthetic:
            try require(train.isEmpty, "train", "the synthetic format generates its data; remove 'train'")
            try require(test.isEmpty, "test", "the synthetic format generates its data; remove 'test'")
            try require(flows >= 100, "flows", "must be at least 100, got \(flows)")
        default:
            try require(!train.isEmpty, "train", "is required: the training files (paths or globs)")
        }
        if format == .npy {
            try require(labels != nil, "labels", "is required for npy: the .npy file of training labels y (N,)")
            try require(train.count == 1, "train", "npy takes one X file per split, got \(train.count)")
            try require(test.count <= 1, "test", "npy takes one X file per split, got \(test.count)")
            try require(test.isEmpty == (testLabels == nil), "test_labels",
                        test.isEmpty ? "is given without 'test'" : "is required with 'test' for npy")
            try require(layout == .features, "layout", "npy data is already (N, C, L); 'window' applies to flow records")
        } else {
            try require(labels == nil, "labels", "applies to npy only; CSV files name their label column with 'label'")
            try require(testLabels == nil, "test_labels", "applies to npy only")
            try require(!transpose, "transpose", "applies to npy only")
        }
        if format == .csv { try require(label != nil, "label", "is required for csv: the name of the label column") }
        if families == true { try require(format == .nslKDD, "families", "applies to nsl-kdd only") }
    }

    /// `train`/`test` as a string or a list of strings (null or absent for none).
    /// Replaces `${TUNE_DATA_DIR}` in a path with that environment variable (default
    /// `../shared/data`), so checked-in search files can point at the real data sets.
    static func expandDataDirectory(_ path: String) -> String {
        guard path.contains("${TUNE_DATA_DIR}") else { return path }
        let directory = ProcessInfo.processInfo.environment["TUNE_DATA_DIR"] ?? "../shared/data"
        return path.replacingOccurrences(of: "${TUNE_DATA_DIR}", with: directory)
    }

    private static func paths(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String] {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return [] }
        if let single = try? container.decode(String.self, forKey: key) { return [expandDataDirectory(single)] }
        guard let list = try? container.decode([String].self, forKey: key) else {
            throw DataError.invalidSpec(field: key.rawValue, reason: "must be a path or a list of paths")
        }
        return list.map(expandDataDirectory)
    }

    /// A whole number (JSON has only numbers: 16 and 16.0 are fine, 2.5 is an error naming the key).
    private static func integer(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard let number = try container.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard number == number.rounded(), abs(number) < 1e15 else {
            throw DataError.invalidSpec(field: key.rawValue, reason: "must be a whole number, got \(number)")
        }
        return Int(number)
    }

    /// A decoding error as a spec error naming the field.
    private static func describe(_ error: DecodingError) -> DataError {
        func field(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return .invalidSpec(field: field(context.codingPath), reason: "must be \(expected(type))")
        case .valueNotFound(let type, let context):
            return .invalidSpec(field: field(context.codingPath), reason: "must be \(expected(type)), not null")
        case .keyNotFound(let key, _):
            return .invalidSpec(field: key.stringValue, reason: "is required")
        case .dataCorrupted(let context):
            let name = field(context.codingPath)
            return .invalidSpec(field: name.isEmpty ? "data" : name, reason: context.debugDescription)
        @unknown default:
            return .invalidSpec(field: "data", reason: "\(error)")
        }
    }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is Int.Type, is UInt64.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is [String].Type: return "a list of strings"
        default: return "a \(type)"
        }
    }
}

/// A coding key for any key, to find the ones the spec does not know.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
