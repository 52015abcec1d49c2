/// The fields of one flow record, whatever file format it came from: a CSV record read in place,
/// or a `FlowRecord` that a Zeek or Suricata decoder filled. Training (`FlowTableReader`) and live
/// detection (`RecordEncoder`) read records only through this, so both see the same values.
protocol FlowFields: ~Copyable {
    /// The 1-based line of the record in its file.
    var line: Int { get }
    /// How many fields the record has.
    var count: Int { get }
    /// The raw bytes of field `index`, valid while the record is.
    func rawBytes(_ index: Int) -> UnsafeBufferPointer<UInt8>
    /// Field `index` as text (CSV quotes undone).
    func text(_ index: Int) -> String
}

extension FlowFields where Self: ~Copyable {
    /// Field `index` as text with surrounding spaces and tabs removed.
    func trimmedText(_ index: Int) -> String {
        TextDecoding.trimmed(text(index))
    }

    /// Field `index` as a number: NaN for an empty field (a missing value), nil when not a
    /// number; `unset` (Zeek's and our Suricata reader's `-`) reads as 0.
    func number(_ index: Int, unset: FlowSchema.UnsetField) -> Double? {
        let raw = rawBytes(index)
        if unset == .dashIsZero, raw.count == 1, raw[0] == UInt8(ascii: "-") { return 0 }
        return NumberParser.parse(raw)
    }
}

extension CSVRecord: FlowFields {}
