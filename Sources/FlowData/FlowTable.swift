/// Flow records of one split as read from CSV files, before cleaning: numeric and symbolic
/// feature columns, the label of each row, and where each row came from.
///
/// Symbolic values and labels are stored as codes into per-column vocabularies (a handful of
/// distinct values repeated over thousands of rows); a vocabulary may name one value twice
/// (e.g. `tcp` and ` tcp` both trimmed to `tcp`), so compare names, not codes, across tables.
struct FlowTable: Sendable {
    /// Names of the numeric feature columns, in header order.
    var numericNames: [String]
    /// Names of the symbolic (categorical) feature columns, in header order.
    var symbolicNames: [String]
    var numeric: [Double] = []         // (N, numericNames.count)
    var symbolicCodes: [[Int32]]       // [symbolic column][N]
    var symbolicVocabularies: [[String]]
    /// The label code of each row, or empty when the files have no label column (prediction input).
    var labelCodes: [Int32] = []       // (N)
    var labelNames: [String] = []
    /// The file each row came from (an index into `files`), so windows never span two files.
    var fileIndices: [Int32] = []      // (N)
    /// The 1-based line of each row in its file.
    var lines: [Int32] = []            // (N)
    var files: [String] = []

    init(numericNames: [String], symbolicNames: [String]) {
        self.numericNames = numericNames
        self.symbolicNames = symbolicNames
        self.symbolicCodes = Array(repeating: [], count: symbolicNames.count)
        self.symbolicVocabularies = Array(repeating: [], count: symbolicNames.count)
    }

    var rowCount: Int { fileIndices.count }
    var hasLabels: Bool { !labelCodes.isEmpty }

    /// The label of row `row`.
    func label(ofRow row: Int) -> String {
        labelNames[Int(labelCodes[row])]
    }

    /// The distinct labels that occur in the table.
    var usedLabels: Set<String> {
        var used = [Bool](repeating: false, count: labelNames.count)
        for code in labelCodes { used[Int(code)] = true }
        return Set(labelNames.indices.filter { used[$0] }.map { labelNames[$0] })
    }

    /// A name for the split in messages: its file, or the first file and how many more.
    var sourceDescription: String {
        switch files.count {
        case 0: return "(no files)"
        case 1: return files[0]
        default: return "\(files[0]) and \(files.count - 1) more"
        }
    }

    /// "file line N" for row `row`, for messages.
    func location(ofRow row: Int) -> String {
        "\(files[Int(fileIndices[row])]) line \(lines[row])"
    }

    /// A table holding only `rows` (in the given order).
    func selecting(rows: [Int]) -> FlowTable {
        var result = self
        let width = numericNames.count
        result.numeric = []
        result.numeric.reserveCapacity(rows.count * width)
        numeric.withUnsafeBufferPointer { source in
            for row in rows {
                result.numeric.append(contentsOf: UnsafeBufferPointer(rebasing: source[(row * width)..<((row + 1) * width)]))
            }
        }
        result.symbolicCodes = symbolicCodes.map { column in rows.map { column[$0] } }
        if !labelCodes.isEmpty { result.labelCodes = rows.map { labelCodes[$0] } }
        result.fileIndices = rows.map { fileIndices[$0] }
        result.lines = rows.map { lines[$0] }
        return result
    }
}
