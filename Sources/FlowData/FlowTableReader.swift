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
        let (names, firstRecordIsData) = try Self.columnNames(bytes: bytes, path: path, schema: schema)
        let plan = try selection.plan(for: names, source: path, requireLabel: requireLabels)
        var skipHeader = !firstRecordIsData
        let startRows = table.rowCount
        let normalizeLabel = schema.normalizeLabel
        // Reserve for the whole file (at most one record per line), so no column is ever regrown.
        let rows = table.rowCount + Self.lineCount(bytes) + 1
        table.numeric.reserveCapacity(rows * plan.numericSources.count)
        for column in table.symbolicCodes.indices { table.symbolicCodes[column].reserveCapacity(rows) }
        if plan.labelSource != nil { table.labelCodes.reserveCapacity(rows) }
        table.fileIndices.reserveCapacity(rows)
        table.lines.reserveCapacity(rows)
        try CSVReader(bytes: bytes, source: path).forEachRecord { record in
            if skipHeader { skipHeader = false; return true }
            guard record.count == names.count else {
                throw DataError.malformedCSV(
                    source: path, line: record.line,
                    reason: "expected \(names.count) fields \(firstRecordIsData ? "in a \(schema.format.rawValue) record" : "as in the header"), found \(record.count)")
            }
            for source in plan.numericSources {
                guard let value = record.number(source) else {
                    throw DataError.nonNumericValue(
                        source: path, line: record.line, column: names[source], value: record.trimmedText(source))
                }
                table.numeric.append(value)
            }
            for (position, source) in plan.symbolicSources.enumerated() {
                let code = interners.symbolic[position].code(of: record.rawBytes(source)) { raw in
                    TextDecoding.trimmed(TextDecoding.decode(raw))
                }
                table.symbolicCodes[position].append(code)
            }
            if let labelSource = plan.labelSource {
                let code = interners.label.code(of: record.rawBytes(labelSource)) { _ in
                    normalizeLabel(record.text(labelSource))
                }
                guard !interners.label.strings[Int(code)].isEmpty else {
                    throw DataError.malformedCSV(
                        source: path, line: record.line, reason: "the label column '\(names[labelSource])' is empty")
                }
                table.labelCodes.append(code)
            }
            table.fileIndices.append(fileIndex)
            table.lines.append(Int32(truncatingIfNeeded: record.line))
            return true
        }
        if table.rowCount == startRows {
            throw DataError.emptyData(source: path, reason: "the file has a header but no rows")
        }
        if !table.labelCodes.isEmpty && table.labelCodes.count != table.rowCount {
            throw DataError.inconsistent(
                source: path, reason: "some files of this split have a label column and some do not")
        }
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
