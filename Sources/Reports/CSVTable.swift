/// A table written as RFC 4180 CSV: comma-separated, CRLF-free (`\n` line ends), a field quoted
/// when it holds a comma, a quote, a line break or leading/trailing spaces, quotes doubled.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The whole table as CSV text, header first, one line per row, ending in a newline.
    public var text: String {
        ([header] + rows).map(Self.line).joined()
    }

    /// One CSV record with its line end.
    public static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\n"
    }

    /// `field` as it must appear in a CSV record.
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
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
