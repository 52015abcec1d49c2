/// Turns one flow record at a time into the scaled feature row the model takes, exactly as
/// `FeaturePipeline.prepare` does for whole files (same columns, one-hot vocabularies, scaler,
/// Float32 formula), so `tune detect` and `tune predict` give the same numbers for a record.
public struct RecordEncoder {
    /// Features per row (F).
    public let featureCount: Int
    private let schema: FlowSchema
    private let pipeline: FeaturePipeline
    private let columnNames: [String]
    private let plan: ColumnPlan
    /// For each kept numeric feature, its position among the input numeric columns.
    private let keptNumeric: [Int]
    private let oneHot: [OneHotFeature]
    private let scaling: RowScaling
    /// Which identity columns this input has, and their EVE keys.
    private let identityFields: [(field: Int, key: String)]
    private var numbers: [Double]  // one per input numeric column, reused

    private struct OneHotFeature {
        var field: Int
        var name: String
        var offset: Int
        var count: Int
        var indexOfCategory: [String: Int]
    }

    /// An encoder for records laid out in `columnNames`; a column the pipeline needs that is not
    /// there throws `DataError.missingColumn` naming `source`.
    public init(pipeline: FeaturePipeline, columnNames: [String], source: String) throws {
        guard let encoder = pipeline.encoder else {
            throw DataError.invalidState(what: "preprocessing", reason: "a \(pipeline.format.rawValue) pipeline has no feature encoder, so it cannot score flow records")
        }
        self.pipeline = pipeline
        self.columnNames = columnNames
        schema = FlowSchema.schema(for: pipeline.format)
        let selection = ColumnSelection(
            numeric: pipeline.inputNumericColumns, symbolic: pipeline.inputSymbolicColumns,
            label: pipeline.labelColumn ?? "label", dropped: [])
        plan = try selection.plan(for: columnNames, source: source, requireLabel: false)
        keptNumeric = try encoder.numericColumns.map { name in
            guard let position = pipeline.inputNumericColumns.firstIndex(of: name) else {
                throw DataError.invalidState(what: "preprocessing", reason: "feature '\(name)' is not an input column")
            }
            return position
        }
        var offset = encoder.numericColumns.count
        var oneHot: [OneHotFeature] = []
        for column in encoder.symbolicColumns {
            guard let position = pipeline.inputSymbolicColumns.firstIndex(of: column.name) else {
                throw DataError.invalidState(what: "preprocessing", reason: "feature '\(column.name)' is not an input column")
            }
            var indexOfCategory: [String: Int] = [:]
            for (index, category) in column.categories.enumerated() { indexOfCategory[category] = index }
            oneHot.append(OneHotFeature(
                field: plan.symbolicSources[position], name: column.name, offset: offset,
                count: column.categories.count, indexOfCategory: indexOfCategory))
            offset += column.categories.count
        }
        self.oneHot = oneHot
        featureCount = encoder.featureCount
        scaling = RowScaling(scaler: pipeline.scaler)
        var keys = Set<String>()
        var identity: [(field: Int, key: String)] = []
        let fieldOfKey = Dictionary(columnNames.enumerated().map { (columnKey($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
        for entry in schema.identity where !keys.contains(entry.key) {
            if let field = fieldOfKey[columnKey(entry.column)] {
                identity.append((field, entry.key))
                keys.insert(entry.key)
            }
        }
        identityFields = identity
        numbers = [Double](repeating: 0, count: pipeline.inputNumericColumns.count)
    }

    /// Writes `record`'s scaled features into `target[0..<featureCount]`, or throws why the
    /// record cannot be scored: a non-number, NaN or infinity in any input numeric column (the
    /// rows `tune predict` skips), or a category training never saw.
    mutating func encode<Record: FlowFields & ~Copyable>(
        _ record: borrowing Record, into target: UnsafeMutablePointer<Float>
    ) throws(RecordProblem) {
        guard record.count == columnNames.count else {
            throw RecordProblem.malformed("expected \(columnNames.count) fields, found \(record.count)")
        }
        for (position, field) in plan.numericSources.enumerated() {
            guard let value = record.number(field, unset: schema.unset) else {
                throw RecordProblem.notANumber(column: columnNames[field], value: record.trimmedText(field))
            }
            guard value.isFinite else { throw RecordProblem.notFinite(column: columnNames[field]) }
            numbers[position] = value
        }
        for (feature, position) in keptNumeric.enumerated() {
            let value = Scaler.pretransformed(numbers[position], choice: scaling.choice)
            target[feature] = Float((value - scaling.center[feature]) * scaling.inverse[feature])
        }
        for column in oneHot {
            let category = TextDecoding.trimmed(TextDecoding.decode(record.rawBytes(column.field)))
            guard let index = column.indexOfCategory[category] else {
                throw RecordProblem.unknownCategory(column: column.name, value: category)
            }
            for feature in column.offset..<(column.offset + column.count) { target[feature] = scaling.zero[feature] }
            target[column.offset + index] = scaling.one[column.offset + index]
        }
    }

    /// The record's class under the model's label mode, when the input has a label column and
    /// the label is a training class.
    func label<Record: FlowFields & ~Copyable>(of record: borrowing Record) -> String? {
        guard let field = plan.labelSource, field < record.count else { return nil }
        let text = schema.normalizeLabel(record.text(field))
        guard !text.isEmpty, !(schema.unset == .dashIsZero && text == "-"),
              let mapped = try? pipeline.labelMode.map(text, schema: schema, normalLabel: pipeline.normalLabel, location: ""),
              pipeline.classNames.contains(mapped) else { return nil }
        return mapped
    }

    /// The record's identity fields (`src_ip`, `dest_port`, ...) that this input has, as text.
    func identity<Record: FlowFields & ~Copyable>(of record: borrowing Record) -> [(key: String, value: String)] {
        identityFields.compactMap { entry in
            guard entry.field < record.count else { return nil }
            let value = record.trimmedText(entry.field)
            return value.isEmpty || value == "-" ? nil : (entry.key, value)
        }
    }
}
