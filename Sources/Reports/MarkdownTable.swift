/// A GitHub-flavoured Markdown table: a header row, an alignment row, then one row per entry.
/// Pipes and line breaks inside cells are escaped so a cell never breaks the table.
public struct MarkdownTable: Sendable, Equatable {
    public enum Alignment: Sendable { case left, right }

    public var header: [String]
    public var alignments: [Alignment]
    public var rows: [[String]]

    /// A table whose columns are left-aligned unless `alignments` says otherwise.
    public init(header: [String], alignments: [Alignment]? = nil, rows: [[String]] = []) {
        self.header = header
        self.alignments = alignments ?? header.map { _ in .left }
        self.rows = rows
    }

    /// The table as Markdown lines, ending in a newline.
    public var text: String {
        var lines = [Self.row(header)]
        lines.append("|" + alignments.map { $0 == .right ? " ---: |" : " --- |" }.joined())
        lines += rows.map(Self.row)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ cells: [String]) -> String {
        "| " + cells.map(escaped).joined(separator: " | ") + " |"
    }

    /// `cell` with `|` escaped and line breaks turned into spaces.
    public static func escaped(_ cell: String) -> String {
        cell.replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
