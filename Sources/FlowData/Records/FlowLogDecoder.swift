import FileFormats
import Foundation

/// Reads Zeek and Suricata logs line by line into `FlowRecord`s: Zeek's TSV (`#separator`,
/// `#fields` ... directives, `-` unset, `(empty)` empty) and JSON lines, and Suricata's EVE JSON
/// (flow events only, nested objects flattened to `flow.bytes_toserver`). Training reads whole
/// files through it and live detection reads a stream, so both see the same fields.
struct FlowLogDecoder {
    /// What one line turned out to be.
    enum Line: Equatable {
        /// A Zeek `#fields` directive: the columns of the records that follow.
        case header([String])
        /// A record, now in the `FlowRecord`.
        case record
        /// A comment, another directive, a blank line or an event that is not a flow.
        case ignored
    }

    let format: DataFormat
    /// JSON lines: the columns each record is laid out in (missing keys read as unset, `-`).
    var jsonColumns: [String]
    /// JSON lines: how many of the first `countedColumns` of `jsonColumns` the last record
    /// lacked (read as unset).
    private(set) var missingColumns = 0
    var countedColumns = Int.max
    /// Zeek TSV: the columns of the last `#fields` directive.
    private(set) var tsvColumns: [String]?
    private var separator = UInt8(ascii: "\t")
    private var emptyField: [UInt8] = Array("(empty)".utf8)
    /// IoT-23 labels its logs by appending `label` and `detailed-label` to `tunnel_parents` with
    /// runs of spaces instead of tabs; this is the position of that merged field and how many
    /// fields it holds.
    private var mergedField: (index: Int, count: Int)?

    init(format: DataFormat, jsonColumns: [String] = []) {
        self.format = format
        self.jsonColumns = jsonColumns
    }

    /// Forgets the directives seen, for the start of a new file.
    mutating func startFile() {
        tsvColumns = nil
        separator = UInt8(ascii: "\t")
        emptyField = Array("(empty)".utf8)
        mergedField = nil
    }

    /// Decodes `line` (without its line break) into `record`; a line that cannot be a record
    /// throws with the reason (the caller adds the file and line).
    mutating func decode(_ line: UnsafeBufferPointer<UInt8>, number: Int, into record: FlowRecord) throws(RecordProblem) -> Line {
        var start = 0
        while start < line.count, line[start] == 0x20 || line[start] == 0x09 || line[start] == 0x0D { start += 1 }
        var end = line.count
        while end > start, line[end - 1] == 0x0D || line[end - 1] == 0x20 { end -= 1 }
        if start == end { return .ignored }
        let text = UnsafeBufferPointer(rebasing: line[start..<end])
        if text[0] == UInt8(ascii: "{") { return try decodeJSON(text, number: number, into: record) }
        guard format == .zeek else { throw RecordProblem.malformed("not a JSON object (Suricata EVE is one JSON event per line)") }
        if text[0] == UInt8(ascii: "#") { return try directive(text) }
        return try decodeTSV(UnsafeBufferPointer(rebasing: line[0..<end]), number: number, into: record)
    }

    // MARK: - Zeek TSV

    private mutating func directive(_ text: UnsafeBufferPointer<UInt8>) throws(RecordProblem) -> Line {
        let line = String(decoding: text, as: UTF8.self)
        if line.hasPrefix("#separator ") {
            let value = line.dropFirst("#separator ".count)
            if value.hasPrefix("\\x"), let code = UInt8(value.dropFirst(2), radix: 16) {
                separator = code
            } else if let byte = value.utf8.first {
                separator = byte
            }
            return .ignored
        }
        let parts = line.split(separator: Character(Unicode.Scalar(separator)), omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "#empty_field": if parts.count > 1 { emptyField = Array(parts[1].utf8) }
        case "#fields":
            var names: [String] = []
            mergedField = nil
            for part in parts.dropFirst() {
                let pieces = Self.splitOnSpaceRuns(part)
                if pieces.count > 1 { mergedField = (names.count, pieces.count) }
                names += pieces
            }
            guard !names.isEmpty else { throw RecordProblem.malformed("#fields names no column") }
            tsvColumns = names
            return .header(names)
        default: break
        }
        return .ignored
    }

    private func decodeTSV(_ text: UnsafeBufferPointer<UInt8>, number: Int, into record: FlowRecord) throws(RecordProblem) -> Line {
        guard let columns = tsvColumns else {
            throw RecordProblem.malformed("a record before any #fields line (is this a Zeek log?)")
        }
        record.removeAll(line: number)
        var fieldStart = 0
        var index = 0
        for position in 0...text.count where position == text.count || text[position] == separator {
            let field = UnsafeBufferPointer(rebasing: text[fieldStart..<position])
            if let merged = mergedField, index == merged.index {
                let pieces = Self.splitOnSpaceRuns(String(decoding: field, as: UTF8.self))
                guard pieces.count == merged.count else {
                    throw RecordProblem.malformed("field \(index + 1) should hold \(merged.count) values separated by spaces, as in #fields; found \(pieces.count)")
                }
                for piece in pieces { appendTSVField(piece, to: record) }
            } else {
                appendTSVField(field, to: record)
            }
            index += 1
            fieldStart = position + 1
        }
        guard record.count == columns.count else {
            throw RecordProblem.malformed("expected \(columns.count) fields as in #fields, found \(record.count)")
        }
        return .record
    }

    private func appendTSVField(_ field: UnsafeBufferPointer<UInt8>, to record: FlowRecord) {
        if field.elementsEqual(emptyField) { record.append(UnsafeBufferPointer(start: nil, count: 0)) } else { record.append(field) }
    }

    private func appendTSVField(_ field: String, to record: FlowRecord) {
        var field = field
        field.withUTF8 { appendTSVField($0, to: record) }
    }

    /// `a   b   c` as `[a, b, c]`: runs of two or more spaces separate (Zeek names never hold spaces).
    static func splitOnSpaceRuns(_ text: String) -> [String] {
        guard text.contains("  ") else { return [text] }
        return text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    // MARK: - JSON lines

    private mutating func decodeJSON(_ text: UnsafeBufferPointer<UInt8>, number: Int, into record: FlowRecord) throws(RecordProblem) -> Line {
        let fields = try Self.flatten(text, format: format)
        if format == .suricataEVE, fields["event_type"] != "flow" { return .ignored }
        record.removeAll(line: number)
        missingColumns = 0
        for (index, column) in jsonColumns.enumerated() {
            if let value = fields[column] {
                record.append(value)
            } else {
                record.append("-")
                if index < countedColumns { missingColumns += 1 }
            }
        }
        return .record
    }

    /// One JSON line as flat `key: text` fields: nested objects as `outer.inner`, numbers as
    /// their shortest text, booleans as Zeek spells them (`T`/`F`) or as 1/0 for Suricata, null
    /// as unset (`-`), lists of values joined by commas.
    static func flatten(_ text: UnsafeBufferPointer<UInt8>, format: DataFormat) throws(RecordProblem) -> [String: String] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(buffer: text), source: "")
        } catch {
            throw RecordProblem.malformed("not valid JSON (\(error.message))")
        }
        guard case .object(let members) = value else { throw RecordProblem.malformed("not a JSON object") }
        var fields: [String: String] = [:]
        func add(_ value: JSONValue, key: String) {
            switch value {
            case .object(let inner):
                for (name, member) in inner { add(member, key: key + "." + name) }
            case .array(let elements):
                let texts = elements.compactMap(scalarText)
                if texts.count == elements.count { fields[key] = texts.joined(separator: ",") }
            default:
                if let text = scalarText(value) { fields[key] = text }
            }
        }
        func scalarText(_ value: JSONValue) -> String? {
            switch value {
            case .null: return "-"
            case .bool(let flag): return format == .zeek ? (flag ? "T" : "F") : (flag ? "1" : "0")
            case .number: return value.canonicalText
            case .string(let string): return string
            case .array, .object: return nil
            }
        }
        for (name, member) in members { add(member, key: name) }
        return fields
    }

    /// The columns of a JSON-lines file for training: every key of its records (flow events for
    /// Suricata), the format's usual fields first in their usual order, then the rest sorted.
    static func jsonColumns(bytes: [UInt8], path: String, format: DataFormat) throws -> [String] {
        var seen = Set<String>()
        var problem: DataError?
        bytes.withUnsafeBufferPointer { buffer in
            forEachLine(buffer) { line, number in
                guard problem == nil, let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{") else { return }
                do throws(RecordProblem) {
                    let fields = try flatten(line, format: format)
                    if format == .suricataEVE, fields["event_type"] != "flow" { return }
                    seen.formUnion(fields.keys)
                } catch {
                    problem = .malformedCSV(source: path, line: number, reason: error.description)
                }
            }
        }
        if let problem { throw problem }
        let usual = FlowSchema.schema(for: format).usualColumns
        return usual.filter { seen.contains($0) } + seen.subtracting(usual).sorted()
    }

    /// Calls `body` with each line of `buffer` (line break removed) and its 1-based number.
    static func forEachLine(_ buffer: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) rethrows {
        var start = 0
        var number = 1
        for position in 0..<buffer.count where buffer[position] == 0x0A {
            try body(UnsafeBufferPointer(rebasing: buffer[start..<position]), number)
            number += 1
            start = position + 1
        }
        if start < buffer.count { try body(UnsafeBufferPointer(rebasing: buffer[start..<buffer.count]), number) }
    }
}
