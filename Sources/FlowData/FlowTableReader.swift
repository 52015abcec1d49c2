/// Reads the CSV files of one split into a `FlowTable`, by the rules of a `FlowSchema`.
///
/// The first file of the training split decides the columns (`ColumnSelection.choose`); every
/// other file, and the test files, must have those columns (by name, in any order).
struct FlowTableReader {
    let schema: FlowSchema
    let selection: ColumnSelection
    /// When false the label column may be absent (prediction input).
    var requireLabels = true

    /// Reads `files` in order into one table; `firstFileBytes` are the first file's bytes when
    /// the caller has read them already (to choose the columns), so they are not read twice.
    func read(files: [String], firstFileBytes: [UInt8]? = nil) throws -> FlowTable {
        var table = FlowTable(numericNames: selection.numeric, symbolicNames: selection.symbolic)
        // Vocabularies continue across the files of a split.
        var interners = Interners(
            symbolic: selection.symbolic.map { _ in ByteInterner() }, label: ByteInterner())
        for (index, path) in files.enumerated() {
            table.files.append(path)
            let bytes = index == 0 ? try firstFileBytes ?? FileIO.readBytes(path: path) : try FileIO.readBytes(path: path)
            try readFile(bytes: bytes, path: path, fileIndex: Int32(table.files.count - 1), into: &table, interners: &interners)
        }
        table.symbolicVocabularies = interners.symbolic.map(\.strings)
        table.labelNames = interners.label.strings
        return table
    }

    /// The column names of a file: its header (trimmed, duplicates suffixed `.1`, `.2` as pandas
    /// does) or the schema's fixed names; also whether the first record is data.
    static func columnNames(bytes: [UInt8], path: String, schema: FlowSchema) throws -> (names: [String], firstRecordIsData: Bool) {
        if schema.format.isLog { return (try logColumnNames(bytes: bytes, path: path, format: schema.format), true) }
        var firstRecord: [String]?
        var firstLine = 1
        try CSVReader(bytes: bytes, source: path).forEachRecord { record in
            firstRecord = (0..<record.count).map { record.trimmedText($0) }
            firstLine = record.line
            return false
        }
        guard let firstRecord else {
            throw DataError.emptyData(source: path, reason: "the file is empty (no header and no rows)")
        }
        if let fixed = schema.fixedNames {
            guard firstRecord.count == fixed.count else {
                throw DataError.malformedCSV(
                    source: path, line: firstLine,
                    reason: "expected \(fixed.count) fields for \(schema.format.rawValue), found \(firstRecord.count)")
            }
            return (fixed, true)
        }
        if schema.format == .unswNB15, UNSWNB15.looksHeaderless(firstRecord) {
            return (UNSWNB15.rawNames, true)
        }
        if let blank = firstRecord.firstIndex(where: { $0.isEmpty }) {
            throw DataError.malformedCSV(
                source: path, line: firstLine, reason: "header field \(blank + 1) is empty (every column needs a name)")
        }
        return (deduplicated(firstRecord), false)
    }

    /// Repeated names get `.1`, `.2`... (the original CIC-IDS2017 header has `Fwd Header Length` twice).
    static func deduplicated(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return names.map { name in
            let key = columnKey(name)
            let count = seen[key, default: 0]
            seen[key] = count + 1
            return count == 0 ? name : "\(name).\(count)"
        }
    }

    /// A Zeek or Suricata log's columns: its first `#fields` (Zeek TSV) or every key of its
    /// records (JSON lines).
    static func logColumnNames(bytes: [UInt8], path: String, format: DataFormat) throws -> [String] {
        let firstByte = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        guard let firstByte else { throw DataError.emptyData(source: path, reason: "the file is empty") }
        if firstByte == UInt8(ascii: "{") || format == .suricataEVE {
            let names = try FlowLogDecoder.jsonColumns(bytes: bytes, path: path, format: format)
            guard !names.isEmpty else {
                throw DataError.emptyData(source: path, reason: format == .suricataEVE ? "no flow events (\"event_type\": \"flow\")" : "no records")
            }
            return names
        }
        var decoder = FlowLogDecoder(format: format)
        let record = FlowRecord()
        var names: [String]?
        var failure: DataError?
        bytes.withUnsafeBufferPointer { buffer in
            FlowLogDecoder.forEachLine(buffer) { line, number in
                guard names == nil, failure == nil else { return }
                do throws(RecordProblem) {
                    if case .header(let header) = try decoder.decode(line, number: number, into: record) { names = header }
                } catch {
                    failure = .malformedCSV(source: path, line: number, reason: error.description)
                }
            }
        }
        if let failure { throw failure }
        guard let names else { throw DataError.malformedCSV(source: path, line: 1, reason: "no #fields line: not a Zeek log") }
        return names
    }

    /// The CR and LF bytes in `bytes` (CRLF counts twice): an upper bound on its records.
    static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for byte in buffer where byte == 0x0A || byte == 0x0D { count &+= 1 }
            return count
        }
    }

    /// The vocabularies of symbolic columns and labels being built.
    private struct Interners {
        var symbolic: [ByteInterner]
        var label: ByteInterner
    }

    private func readFile(
        bytes: [UInt8], path: String, fileIndex: Int32, into table: inout FlowTable, interners: inout Interners
    ) throws {
        let startRows = table.rowCount
        // Reserve for the whole file (at most one record per line), so no column is ever regrown.
        let rows = table.rowCount + Self.lineCount(bytes) + 1
        table.numeric.reserveCapacity(rows * selection.numeric.count)
        for column in table.symbolicCodes.indices { table.symbolicCodes[column].reserveCapacity(rows) }
        table.labelCodes.reserveCapacity(rows)
        table.fileIndices.reserveCapacity(rows)
        table.lines.reserveCapacity(rows)
        if schema.format.isLog {
            try readLog(bytes: bytes, path: path, fileIndex: fileIndex, into: &table, interners: &interners)
        } else {
            let (names, firstRecordIsData) = try Self.columnNames(bytes: bytes, path: path, schema: schema)
            let layout = RecordLayout(
                names: names, plan: try selection.plan(for: names, source: path, requireLabel: requireLabels),
                path: path, fileIndex: fileIndex,
                fieldCountRule: firstRecordIsData ? "in a \(schema.format.rawValue) record" : "as in the header")
            var skipHeader = !firstRecordIsData
            try CSVReader(bytes: bytes, source: path).forEachRecord { record in
                if skipHeader { skipHeader = false; return true }
                try append(record, layout: layout, to: &table, interners: &interners)
                return true
            }
        }
        if table.rowCount == startRows {
            throw DataError.emptyData(source: path, reason: schema.format.isLog ? "the file holds no flow records" : "the file has a header but no rows")
        }
        if !table.labelCodes.isEmpty && table.labelCodes.count != table.rowCount {
            throw DataError.inconsistent(
                source: path, reason: "some files of this split have a label column and some do not")
        }
    }

    /// A Zeek or Suricata log: JSON records laid out in the selected columns (a key a record
    /// lacks reads as unset), TSV records in the columns of the last `#fields`.
    private func readLog(
        bytes: [UInt8], path: String, fileIndex: Int32, into table: inout FlowTable, interners: inout Interners
    ) throws {
        var columns = selection.numeric + selection.symbolic
        // Prediction input may be unlabelled: then JSON records have no label to lay out.
        if requireLabels || Self.firstJSONRecord(of: bytes, format: schema.format, has: selection.label) {
            columns.append(selection.label)
        }
        var decoder = FlowLogDecoder(format: schema.format, jsonColumns: columns)
        var layout = RecordLayout(
            names: columns, plan: try selection.plan(for: columns, source: path, requireLabel: requireLabels),
            path: path, fileIndex: fileIndex, fieldCountRule: "as in #fields")
        let record = FlowRecord()
        try bytes.withUnsafeBufferPointer { buffer in
            try FlowLogDecoder.forEachLine(buffer) { line, number in
                let kind: FlowLogDecoder.Line
                do throws(RecordProblem) {
                    kind = try decoder.decode(line, number: number, into: record)
                } catch {
                    throw DataError.malformedCSV(source: path, line: number, reason: error.description)
                }
                switch kind {
                case .header(let names):
                    layout.names = names
                    layout.plan = try selection.plan(for: names, source: path, requireLabel: requireLabels)
                case .record:
                    try append(record, layout: layout, to: &table, interners: &interners)
                case .ignored:
                    break
                }
            }
        }
    }

    /// True when the first JSON flow record of `bytes` has the key `column`.
    private static func firstJSONRecord(of bytes: [UInt8], format: DataFormat, has column: String) -> Bool {
        var answer: Bool?
        bytes.withUnsafeBufferPointer { buffer in
            FlowLogDecoder.forEachLine(buffer) { line, _ in
                guard answer == nil, line.first == UInt8(ascii: "{"),
                      let fields = try? FlowLogDecoder.flatten(line, format: format),
                      format != .suricataEVE || fields["event_type"] == "flow" else { return }
                answer = fields[column] != nil
            }
        }
        return answer ?? false
    }

    /// Where the selected columns sit in the records of one file, and how to name it in errors.
    private struct RecordLayout {
        var names: [String]
        var plan: ColumnPlan
        let path: String
        let fileIndex: Int32
        /// How the expected field count is explained: "as in the header".
        let fieldCountRule: String
    }

    /// Appends one record's selected fields to the table.
    private func append<Record: FlowFields & ~Copyable>(
        _ record: borrowing Record, layout: RecordLayout, to table: inout FlowTable, interners: inout Interners
    ) throws {
        let path = layout.path
        guard record.count == layout.names.count else {
            throw DataError.malformedCSV(
                source: path, line: record.line,
                reason: "expected \(layout.names.count) fields \(layout.fieldCountRule), found \(record.count)")
        }
        for source in layout.plan.numericSources {
            guard let value = record.number(source, unset: schema.unset) else {
                throw DataError.nonNumericValue(
                    source: path, line: record.line, column: layout.names[source], value: record.trimmedText(source))
            }
            table.numeric.append(value)
        }
        for (position, source) in layout.plan.symbolicSources.enumerated() {
            let code = interners.symbolic[position].code(of: record.rawBytes(source)) { raw in
                TextDecoding.trimmed(TextDecoding.decode(raw))
            }
            table.symbolicCodes[position].append(code)
        }
        if let labelSource = layout.plan.labelSource {
            let normalizeLabel = schema.normalizeLabel
            let code = interners.label.code(of: record.rawBytes(labelSource)) { _ in normalizeLabel(record.text(labelSource)) }
            let label = interners.label.strings[Int(code)]
            guard !label.isEmpty, !(schema.unset == .dashIsZero && label == "-") else {
                throw DataError.malformedCSV(
                    source: path, line: record.line, reason: "the label column '\(layout.names[labelSource])' is empty")
            }
            table.labelCodes.append(code)
        }
        table.fileIndices.append(layout.fileIndex)
        table.lines.append(Int32(truncatingIfNeeded: record.line))
    }
}

/// Which columns of a flow file are features (numeric or symbolic), which is the label, and
/// which are dropped and why; chosen once from the training split's first file.
struct ColumnSelection: Sendable, Equatable {
    var numeric: [String]
    var symbolic: [String]
    var label: String
    /// Columns not used as features, with the reason (identifier, label, setting `drop`).
    var dropped: [DroppedColumn]

    /// Chooses feature columns from a header: everything except the label, the schema's other
    /// label columns, its identifiers (unless kept) and the spec's `drop` list.
    static func choose(
        names: [String], source: String, schema: FlowSchema, label: String?, drop: [String],
        symbolic extraSymbolic: [String], dropIdentifiers: Bool
    ) throws -> ColumnSelection {
        let keys = names.map(columnKey)
        guard let labelName = label ?? schema.defaultLabel else {
            throw DataError.invalidSpec(field: "label", reason: "format '\(schema.format.rawValue)' needs the name of the label column")
        }
        guard let labelIndex = keys.firstIndex(of: columnKey(labelName)) else {
            throw DataError.missingColumn(source: source, column: labelName)
        }
        for name in drop + extraSymbolic where !keys.contains(columnKey(name)) {
            let field = drop.contains(name) ? "drop" : "symbolic"
            throw DataError.invalidSpec(field: field, reason: "\(source) has no column named '\(name)'")
        }
        var reasons: [String: String] = [:]
        for name in schema.nonFeatureColumns { reasons[columnKey(name)] = "label column" }
        if dropIdentifiers {
            for name in schema.identifierColumns { reasons[columnKey(name)] = "identifier" }
        }
        for name in drop { reasons[columnKey(name)] = "setting 'drop'" }
        let symbolicKeys = Set((schema.symbolicColumns + extraSymbolic).map(columnKey))

        var selection = ColumnSelection(numeric: [], symbolic: [], label: names[labelIndex], dropped: [])
        for (index, name) in names.enumerated() where index != labelIndex {
            if let reason = reasons[keys[index]] {
                selection.dropped.append(DroppedColumn(name: name, reason: reason))
            } else if symbolicKeys.contains(keys[index]) {
                selection.symbolic.append(name)
            } else {
                selection.numeric.append(name)
            }
        }
        guard !selection.numeric.isEmpty || !selection.symbolic.isEmpty else {
            throw DataError.emptyData(source: source, reason: "no feature columns are left besides the label")
        }
        return selection
    }

    /// Where each selected column sits in a file with these column names.
    func plan(for names: [String], source: String, requireLabel: Bool) throws -> ColumnPlan {
        var indexOfKey: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexOfKey[columnKey(name)] == nil {
            indexOfKey[columnKey(name)] = index
        }
        func locate(_ name: String) throws -> Int {
            guard let index = indexOfKey[columnKey(name)] else {
                throw DataError.missingColumn(source: source, column: name)
            }
            return index
        }
        let labelSource: Int?
        if requireLabel {
            labelSource = try locate(label)
        } else {
            labelSource = indexOfKey[columnKey(label)]
        }
        return ColumnPlan(
            numericSources: try numeric.map(locate), symbolicSources: try symbolic.map(locate),
            labelSource: labelSource)
    }
}

/// Field positions of the selected columns in one file.
struct ColumnPlan {
    var numericSources: [Int]
    var symbolicSources: [Int]
    var labelSource: Int?
}

/// A column left out of the features, and why (for the cleaning summary).
public struct DroppedColumn: Codable, Sendable, Equatable {
    public var name: String
    /// `identifier`, `label column`, `setting 'drop'`, `constant`, `duplicate of X`.
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}
