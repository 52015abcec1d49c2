/// The kinds of data a run can train on (the `format` key of the run file's `data` section).
public enum DataFormat: String, Codable, Sendable, CaseIterable {
    /// NumPy arrays: X `(N, C, L)` (or `(N, L, C)` with `transpose`) and y `(N,)`.
    case npy
    /// CICFlowMeter flow CSVs (CIC-IDS2017/2018), original and improved headers.
    case cicflowmeter
    /// NSL-KDD text files: headerless, 41 features, attack name, difficulty.
    case nslKDD = "nsl-kdd"
    /// UNSW-NB15 CSVs with `label` and `attack_cat`.
    case unswNB15 = "unsw-nb15"
    /// Any CSV with a header and a named label column.
    case csv
    /// The built-in synthetic traffic generator (the demo default).
    case synthetic

    /// True for the formats read from CSV files.
    var isFlowRecords: Bool {
        switch self {
        case .cicflowmeter, .nslKDD, .unswNB15, .csv: return true
        case .npy, .synthetic: return false
        }
    }
}

/// What a flow-record format looks like: header or fixed names, which column is the label,
/// which columns are identifiers or other labels (never features), which are symbolic.
struct FlowSchema: Sendable {
    var format: DataFormat
    /// Column names for headerless files; nil when the first line is a header.
    var fixedNames: [String]?
    /// The label column used unless the spec names another.
    var defaultLabel: String?
    /// Label-like columns that are never features (the other label, difficulty).
    var nonFeatureColumns: [String]
    /// Columns that identify the capture rather than the traffic, dropped by default.
    var identifierColumns: [String]
    /// Columns holding categories, one-hot encoded.
    var symbolicColumns: [String]
    /// Labels meaning benign traffic, for binary mode (compared case-insensitively).
    var normalLabels: [String]
    /// Cleans one label text (trimming, format-specific spelling fixes).
    var normalizeLabel: @Sendable (String) -> String

    /// The schema of a CSV format; `fixedNames` may be replaced after looking at the file
    /// (UNSW-NB15's raw files have no header).
    static func schema(for format: DataFormat) -> FlowSchema {
        switch format {
        case .cicflowmeter: return CICFlowMeter.schema
        case .nslKDD: return NSLKDD.schema
        case .unswNB15: return UNSWNB15.schema
        case .csv, .npy, .synthetic:
            return FlowSchema(
                format: format, fixedNames: nil, defaultLabel: nil, nonFeatureColumns: [],
                identifierColumns: [], symbolicColumns: [], normalLabels: ["benign", "normal"],
                normalizeLabel: { TextDecoding.trimmed($0) })
        }
    }

    /// True when `label` means benign traffic.
    func isNormal(_ label: String) -> Bool {
        let lowered = label.lowercased()
        return normalLabels.contains(lowered)
    }
}

/// Column names are compared trimmed and case-insensitively, so `" Label"`, `"label"` and
/// `"Label"` name the same column.
func columnKey(_ name: String) -> String {
    TextDecoding.trimmed(name).lowercased()
}
