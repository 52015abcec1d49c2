/// Reads flow records as they arrive, in any flow-record format, and encodes each through a
/// model's stored pipeline: the record side of `tune detect`. Input comes as complete lines; a
/// new file (after a rotation) starts with `startFile()`, so its header is read again.
public struct LiveRecordReader {
    /// One record read: its features, or why it cannot be scored.
    public struct Record {
        /// The 1-based line in its file.
        public var line: Int
        /// Nil when `features` hold the record's scaled features.
        public var problem: RecordProblem?
        /// `(F)`, valid only inside the callback.
        public var features: UnsafeBufferPointer<Float>
        /// The flow's identity fields that the input has (`src_ip`, `dest_port`, ...).
        public var identity: [(key: String, value: String)]
        /// The record's class when the input is labelled.
        public var label: String?
    }

    public let pipeline: FeaturePipeline
    /// The format records are read in (the model's unless told otherwise).
    public let format: DataFormat
    /// Names the input in errors.
    public let source: String
    /// Features per record (F).
    public var featureCount: Int { pipeline.encoder?.featureCount ?? 0 }
    private let schema: FlowSchema
    private var encoder: RecordEncoder?
    private var logDecoder: FlowLogDecoder
    private let record = FlowRecord()
    private var features: [Float]

    /// A reader for records of `format` (default: the model's) scored by `pipeline`; a pipeline
    /// that cannot score flow records (npy) throws.
    public init(pipeline: FeaturePipeline, format: DataFormat? = nil, source: String) throws {
        // The built-in synthetic traffic is generic CSV with a `label` column.
        let format = format ?? (pipeline.format == .synthetic ? .csv : pipeline.format)
        guard pipeline.encoder != nil else {
            throw DataError.invalidSpec(
                field: "format", reason: "a model trained on \(pipeline.format.rawValue) arrays scores arrays, not flow records; use `tune predict`")
        }
        guard format.isFlowRecords else {
            throw DataError.invalidSpec(field: "format", reason: "\(format.rawValue) is not a flow-record format")
        }
        self.pipeline = pipeline
        self.format = format
        self.source = source
        schema = FlowSchema.schema(for: format)
        // JSON records are laid out in the model's columns, its label, then the identity columns.
        let modelColumns = pipeline.inputNumericColumns + pipeline.inputSymbolicColumns
        var columns = modelColumns + [pipeline.labelColumn ?? "label"]
        for entry in schema.identity where !columns.contains(entry.column) { columns.append(entry.column) }
        logDecoder = FlowLogDecoder(format: format, jsonColumns: columns)
        logDecoder.countedColumns = modelColumns.count
        features = [Float](repeating: 0, count: pipeline.encoder?.featureCount ?? 0)
        if format.isLog {
            encoder = try RecordEncoder(pipeline: pipeline, columnNames: columns, source: source)
        }
    }

    /// The start of a new file: the next line is a header again (CSV, Zeek `#fields`).
    public mutating func startFile() {
        if !format.isLog { encoder = nil }
        logDecoder.startFile()
    }

    /// Reads the records in `lines` (whole lines, the first numbered `firstLine`) and calls
    /// `body` for each. Throws only when the input cannot be this model's kind of record at all
    /// (its header lacks the model's columns); a bad record is passed on with its problem.
    public mutating func read(_ lines: [UInt8], firstLine: Int, _ body: (Record) throws -> Void) throws {
        if format.isLog {
            try lines.withUnsafeBufferPointer { try readLog($0, firstLine: firstLine, body) }
        } else {
            try readCSV(lines, firstLine: firstLine, body)
        }
    }

    // MARK: - CSV formats

    private mutating func readCSV(_ bytes: [UInt8], firstLine: Int, _ body: (Record) throws -> Void) throws {
        do {
            try readCSVRecords(bytes, firstLine: firstLine, body)
        } catch let error as DataError {
            guard case .malformedCSV = error else { throw error }
            // One bad line (an unclosed quote) spoils a chunk: read it line by line instead.
            try bytes.withUnsafeBufferPointer { buffer in
                try FlowLogDecoder.forEachLine(buffer) { line, number in
                    do {
                        try readCSVRecords(Array(line), firstLine: firstLine + number - 1, body)
                    } catch let error as DataError {
                        guard case .malformedCSV(_, _, let reason) = error else { throw error }
                        try body(problemRecord(line: firstLine + number - 1, .malformed(reason)))
                    }
                }
            }
        }
    }

    private mutating func readCSVRecords(_ bytes: [UInt8], firstLine: Int, _ body: (Record) throws -> Void) throws {
        var failure: Error?
        try CSVReader(bytes: bytes, source: source).forEachRecord { csvRecord in
            let line = firstLine + csvRecord.line - 1
            guard encoder != nil else {
                do {
                    let names = header(csvRecord)
                    encoder = try makeEncoder(columns: names.names, line: line)
                    if !names.firstRecordIsData { return true }
                } catch {
                    failure = error
                    return false
                }
                return try encode(csvRecord, line: line, body)
            }
            return try encode(csvRecord, line: line, body)
        }
        if let failure { throw failure }
    }

    /// The column names a file's first record gives: its header, or the format's fixed names.
    private func header(_ record: borrowing CSVRecord) -> (names: [String], firstRecordIsData: Bool) {
        let first = (0..<record.count).map { record.trimmedText($0) }
        if let fixed = schema.fixedNames { return (fixed, true) }
        if format == .unswNB15, UNSWNB15.looksHeaderless(first) { return (UNSWNB15.rawNames, true) }
        return (FlowTableReader.deduplicated(first), false)
    }

    private mutating func encode(_ csvRecord: borrowing CSVRecord, line: Int, _ body: (Record) throws -> Void) throws -> Bool {
        guard var encoder else { return false }
        defer { self.encoder = encoder }
        try emit(csvRecord, line: line, encoder: &encoder, body)
        return true
    }

    /// Encodes `fields` and hands the record (or its problem) to `body`.
    private mutating func emit<Fields: FlowFields & ~Copyable>(
        _ fields: borrowing Fields, line: Int, encoder: inout RecordEncoder, _ body: (Record) throws -> Void
    ) throws {
        let problem = features.withUnsafeMutableBufferPointer { target -> RecordProblem? in
            guard let base = target.baseAddress else { return nil }
            do throws(RecordProblem) {
                try encoder.encode(fields, into: base)
                return nil
            } catch {
                return error
            }
        }
        let identity = encoder.identity(of: fields)
        let label = problem == nil ? encoder.label(of: fields) : nil
        try features.withUnsafeBufferPointer { features in
            try body(Record(line: line, problem: problem, features: features, identity: identity, label: label))
        }
    }

    // MARK: - Zeek and Suricata logs

    private mutating func readLog(_ lines: UnsafeBufferPointer<UInt8>, firstLine: Int, _ body: (Record) throws -> Void) throws {
        try FlowLogDecoder.forEachLine(lines) { line, number in
            let lineNumber = firstLine + number - 1
            let kind: FlowLogDecoder.Line
            do throws(RecordProblem) {
                kind = try logDecoder.decode(line, number: lineNumber, into: record)
            } catch {
                if case .malformed = error, logDecoder.tsvColumns == nil, !line.contains(UInt8(ascii: "{")) {
                    throw DataError.inconsistent(
                        source: "\(source) line \(lineNumber)",
                        reason: "\(error): the model was trained on \(pipeline.format.rawValue) records")
                }
                try body(problemRecord(line: lineNumber, error))
                return
            }
            switch kind {
            case .ignored: return
            case .header(let names):
                encoder = try makeEncoder(columns: names, line: lineNumber)
            case .record:
                // JSON records have an encoder from the start, TSV ones from their #fields (the
                // decoder refuses records before it).
                guard var encoder else { return }
                let needed = logDecoder.countedColumns
                if logDecoder.missingColumns * 2 > needed {
                    throw DataError.inconsistent(
                        source: "\(source) line \(lineNumber)",
                        reason: "the record lacks \(logDecoder.missingColumns) of the \(needed) fields the model reads; it is not the kind of \(format.rawValue) record the model was trained on")
                }
                try emit(record, line: lineNumber, encoder: &encoder, body)
                self.encoder = encoder
            }
        }
    }

    /// The encoder for records in `columns`; columns that lack the model's say plainly that these
    /// are not the records the model was trained on.
    private func makeEncoder(columns: [String], line: Int) throws -> RecordEncoder {
        let keys = Set(columns.map(columnKey))
        let needed = pipeline.inputNumericColumns + pipeline.inputSymbolicColumns
        let missing = needed.filter { !keys.contains(columnKey($0)) }
        guard missing.isEmpty else {
            let examples = missing.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            throw DataError.inconsistent(
                source: "\(source) line \(line)",
                reason: "these records lack \(missing.count) of the \(needed.count) columns the model reads (\(examples)\(missing.count > 3 ? ", ..." : "")): "
                    + "the model was trained on \(pipeline.format.rawValue) records and cannot score these"
                    + (format == pipeline.format ? "" : " (read as \(format.rawValue))"))
        }
        return try RecordEncoder(pipeline: pipeline, columnNames: columns, source: source)
    }

    private func problemRecord(line: Int, _ problem: RecordProblem) -> Record {
        Record(line: line, problem: problem, features: UnsafeBufferPointer(start: nil, count: 0), identity: [], label: nil)
    }
}
