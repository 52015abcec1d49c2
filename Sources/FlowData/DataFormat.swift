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
    /// Zeek `conn.log`: TSV with `#fields` (IoT-23's `conn.log.labeled` too) or JSON lines.
    case zeek
    /// Suricata EVE JSON: the `flow` events, nested fields flattened (`flow.bytes_toserver`).
    case suricataEVE = "suricata-eve"
    /// The built-in synthetic traffic generator (the demo default).
    case synthetic

    /// True for Zeek and Suricata logs, read line by line by `FlowLogDecoder`.
    public var isLog: Bool { self == .zeek || self == .suricataEVE }

    /// True for the formats read from flow-record files.
    public var isFlowRecords: Bool {
        switch self {
        case .cicflowmeter, .nslKDD, .unswNB15, .csv, .zeek, .suricataEVE: return true
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
    /// How an unset value is written: Zeek and our Suricata reader write `-`, read as 0 in
    /// numeric columns (an unanswered connection has no duration or bytes).
    var unset: UnsetField = .none
    /// The format's usual columns in their usual order (JSON lines have no header to order them).
    var usualColumns: [String] = []
    /// Columns that say which flow a record is, and the EVE key `tune detect` writes each under.
    var identity: [IdentityColumn] = IdentityColumn.common

    enum UnsetField: Sendable { case none, dashIsZero }

    /// A column naming the flow (`Src IP`) and its EVE key (`src_ip`).
    struct IdentityColumn: Sendable {
        var column: String
        var key: String

        /// The names CICFlowMeter and most flow CSVs use.
        static let common: [IdentityColumn] = [
            .init(column: "Flow ID", key: "flow_id"), .init(column: "Src IP", key: "src_ip"),
            .init(column: "Source IP", key: "src_ip"), .init(column: "src_ip", key: "src_ip"),
            .init(column: "Src Port", key: "src_port"), .init(column: "Source Port", key: "src_port"),
            .init(column: "src_port", key: "src_port"), .init(column: "Dst IP", key: "dest_ip"),
            .init(column: "Destination IP", key: "dest_ip"), .init(column: "dst_ip", key: "dest_ip"),
            .init(column: "Dst Port", key: "dest_port"), .init(column: "Destination Port", key: "dest_port"),
            .init(column: "dst_port", key: "dest_port"), .init(column: "Protocol", key: "proto"),
            .init(column: "Timestamp", key: "flow_timestamp"),
        ]
    }

    /// The schema of a CSV format; `fixedNames` may be replaced after looking at the file
    /// (UNSW-NB15's raw files have no header).
    static func schema(for format: DataFormat) -> FlowSchema {
        switch format {
        case .cicflowmeter: return CICFlowMeter.schema
        case .nslKDD: return NSLKDD.schema
        case .unswNB15: return UNSWNB15.schema
        case .zeek: return ZeekConnLog.schema
        case .suricataEVE: return SuricataEVE.schema
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
