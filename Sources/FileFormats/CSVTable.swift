import Foundation

/// A table written as RFC 4180 CSV: comma-separated, a field quoted when it holds a comma, a
/// quote or a line break, quotes doubled; line ends and the quoting of padded fields by `style`.
public struct CSVTable: Sendable, Equatable {
    /// How records end and which fields are quoted, per kind of file.
    public struct Style: Sendable, Equatable {
        /// What ends every record, the last one included.
        public var lineEnding: String
        /// Whether a field with a leading or trailing space is quoted (so spreadsheets keep it).
        public var quotesPaddedFields: Bool

        /// Reports' tables: `\n` line ends, padded fields quoted.
        public static let report = Style(lineEnding: "\n", quotesPaddedFields: true)
        /// `tune predict`'s output: RFC 4180's `\r\n` line ends, padded fields as they are.
        public static let predictions = Style(lineEnding: "\r\n", quotesPaddedFields: false)
    }

    public var header: [String]
    public var rows: [[String]]
    public var style: Style

    public init(header: [String], rows: [[String]] = [], style: Style = .report) {
        self.header = header
        self.rows = rows
        self.style = style
    }

    /// The whole table as CSV text, header first, one line per row, ending in a line end.
    public var text: String {
        ([header] + rows).map { Self.line($0, style: style) }.joined()
    }

    /// One CSV record with its line end.
    public static func line(_ fields: [String], style: Style = .report) -> String {
        fields.map { quoted($0, style: style) }.joined(separator: ",") + style.lineEnding
    }

    /// `field` as it must appear in a CSV record.
    public static func quoted(_ field: String, style: Style = .report) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || (style.quotesPaddedFields && (field.first == " " || field.last == " "))
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number as a CSV field: Swift's shortest text that reads back to the same Double
    /// (`0.25`, `1e-05`; `nan` and `inf` as such); empty for no value.
    public static func number(_ value: Double?) -> String {
        value.map { String(describing: $0) } ?? ""
    }

    /// A number as a CSV field like `number`, but empty when it is not finite (benchmark tables
    /// leave a value they cannot give, such as the mean of nothing, empty).
    public static func finiteNumber(_ value: Double) -> String {
        value.isFinite ? String(describing: value) : ""
    }

    /// Parses CSV text written by `text` (or any RFC 4180 file): the first record is the header.
    /// Used by tests to check that what was written reads back to the same values.
    public static func parse(_ text: String) throws(CSVTableError) -> CSVTable {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var characters = Array(text)[...]
        var line = 1
        while let character = characters.popFirst() {
            if inQuotes {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                guard field.isEmpty && !fieldWasQuoted else { throw CSVTableError(line: line, message: "a quote inside an unquoted field") }
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                record.append(field)
                field = ""
                fieldWasQuoted = false
            case "\n", "\r\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                fieldWasQuoted = false
                line += 1
            default:
                guard !fieldWasQuoted else { throw CSVTableError(line: line, message: "text after a closing quote") }
                field.append(character)
            }
        }
        if inQuotes { throw CSVTableError(line: line, message: "a quoted field is not closed") }
        if !field.isEmpty || fieldWasQuoted || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        guard let header = records.first else { throw CSVTableError(line: 1, message: "no header") }
        for (offset, row) in records.dropFirst().enumerated() where row.count != header.count {
            throw CSVTableError(line: offset + 2, message: "\(row.count) fields, the header has \(header.count)")
        }
        return CSVTable(header: header, rows: Array(records.dropFirst()))
    }
}

/// A CSV text that does not parse, with the record's line.
public struct CSVTableError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}
