/// The fitted mapping from flow-table columns to feature vectors: which numeric columns are kept
/// and the one-hot vocabulary of each symbolic column, both fixed from the training split so
/// validation, test and prediction data get the same features in the same order.
public struct FeatureEncoder: Codable, Sendable, Equatable {
    /// A symbolic column and its categories, sorted; one feature per category.
    public struct SymbolicColumn: Codable, Sendable, Equatable {
        public var name: String
        public var categories: [String]
    }

    /// Numeric columns kept, in header order.
    public var numericColumns: [String]
    /// Symbolic columns kept, each one-hot encoded after the numeric features.
    public var symbolicColumns: [SymbolicColumn]

    /// The output feature names: numeric columns, then `column=category` for each category.
    public var featureNames: [String] {
        numericColumns + symbolicColumns.flatMap { column in column.categories.map { "\(column.name)=\($0)" } }
    }

    public var featureCount: Int {
        numericColumns.count + symbolicColumns.reduce(0) { $0 + $1.categories.count }
    }

    /// Fits on `rows` of the (already cleaned) table, the flows of the training samples only, so
    /// nothing about the validation rows leaks into the features: constant columns are dropped
    /// (they carry no information and break min-max scaling), as are `X.1` columns equal to their
    /// namesake `X`, and the one-hot vocabularies hold the categories those rows use.
    static func fit(_ table: FlowTable, rows: [Int]) -> (encoder: FeatureEncoder, dropped: [DroppedColumn]) {
        let width = table.numericNames.count
        var dropped: [DroppedColumn] = []
        var kept: [String] = []
        var keptIndexOfKey: [String: Int] = [:]
        for column in 0..<width {
            let name = table.numericNames[column]
            let first = rows.first.map { table.numeric[$0 * width + column] } ?? 0
            if rows.allSatisfy({ table.numeric[$0 * width + column] == first }) {
                dropped.append(DroppedColumn(name: name, reason: "constant"))
                continue
            }
            if let original = duplicateOriginal(of: name, among: keptIndexOfKey),
               let originalColumn = table.numericNames.firstIndex(of: original) {
                let same = rows.allSatisfy {
                    table.numeric[$0 * width + column] == table.numeric[$0 * width + originalColumn]
                }
                if same {
                    dropped.append(DroppedColumn(name: name, reason: "duplicate of '\(original)'"))
                    continue
                }
            }
            keptIndexOfKey[columnKey(name)] = kept.count
            kept.append(name)
        }
        var symbolic: [SymbolicColumn] = []
        for (index, name) in table.symbolicNames.enumerated() {
            let vocabulary = table.symbolicVocabularies[index]
            var used = [Bool](repeating: false, count: vocabulary.count)
            let codes = table.symbolicCodes[index]
            for row in rows { used[Int(codes[row])] = true }
            let categories = Set(vocabulary.indices.filter { used[$0] }.map { vocabulary[$0] }).sorted()
            if categories.count <= 1 {
                dropped.append(DroppedColumn(name: name, reason: "constant"))
            } else {
                symbolic.append(SymbolicColumn(name: name, categories: categories))
            }
        }
        return (FeatureEncoder(numericColumns: kept, symbolicColumns: symbolic), dropped)
    }

    /// For `Name.1`, the kept column `Name` (pandas' suffix for a repeated header name).
    private static func duplicateOriginal(of name: String, among kept: [String: Int]) -> String? {
        guard let dot = name.lastIndex(of: "."), Int(name[name.index(after: dot)...]) != nil else { return nil }
        let base = String(name[..<dot])
        return kept[columnKey(base)] != nil ? base : nil
    }
}
