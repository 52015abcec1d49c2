/// A flow table seen through a fitted `FeatureEncoder`: the numeric features and one-hot
/// categories of any row or feature, computed on demand. Loading fits the scaler one feature
/// column at a time and writes scaled samples straight from here, so no `(R, F)` Double matrix
/// is ever built (on NSL-KDD those matrices were most of `tune train`'s start-up time).
struct EncodedTable {
    let table: FlowTable
    let featureCount: Int
    /// Per symbolic column name, rows whose category training never saw (encoded as all zeros).
    let unknownCategories: [String: Int]
    /// The table column of each kept numeric feature (features `0..<numericSources.count`).
    private let numericSources: [Int]
    private let oneHotColumns: [OneHotColumn]

    /// One symbolic column's one-hot block.
    private struct OneHotColumn {
        /// Its first feature.
        var offset: Int
        var categoryCount: Int
        /// The category index of each row, -1 for a category unseen in training.
        var categoryOfRow: [Int32]  // (R)
    }

    init(table: FlowTable, encoder: FeatureEncoder) throws {
        self.table = table
        featureCount = encoder.featureCount
        numericSources = try encoder.numericColumns.map { name in
            guard let index = table.numericNames.firstIndex(of: name) else {
                throw DataError.missingColumn(source: table.sourceDescription, column: name)
            }
            return index
        }
        var unknown: [String: Int] = [:]
        var columns: [OneHotColumn] = []
        var offset = encoder.numericColumns.count
        for column in encoder.symbolicColumns {
            guard let source = table.symbolicNames.firstIndex(of: column.name) else {
                throw DataError.missingColumn(source: table.sourceDescription, column: column.name)
            }
            var indexOfCategory: [String: Int] = [:]
            for (index, category) in column.categories.enumerated() { indexOfCategory[category] = index }
            let categoryOfCode = table.symbolicVocabularies[source].map { Int32(indexOfCategory[$0] ?? -1) }
            let categoryOfRow = table.symbolicCodes[source].map { categoryOfCode[Int($0)] }
            let unknownRows = categoryOfRow.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
            if unknownRows > 0 { unknown[column.name] = unknownRows }
            columns.append(OneHotColumn(offset: offset, categoryCount: column.categories.count, categoryOfRow: categoryOfRow))
            offset += column.categories.count
        }
        unknownCategories = unknown
        oneHotColumns = columns
    }

    var rowCount: Int { table.rowCount }

    /// Feature `feature` of each of `rows`, through the optional log1p of `choice`, into
    /// `values` (resized to `rows.count`; a buffer reused across features).
    func column(_ feature: Int, rows: [Int], choice: ScalerChoice, into values: inout [Double]) {
        if values.count != rows.count { values = [Double](repeating: 0, count: rows.count) }
        values.withUnsafeMutableBufferPointer { values in
            rows.withUnsafeBufferPointer { rows in
                if feature < numericSources.count {
                    let width = table.numericNames.count
                    let source = numericSources[feature]
                    table.numeric.withUnsafeBufferPointer { numeric in
                        for (position, row) in rows.enumerated() {
                            values[position] = Scaler.pretransformed(numeric[row * width + source], choice: choice)
                        }
                    }
                    return
                }
                guard let column = oneHotColumns.last(where: { $0.offset <= feature }) else { return }
                let category = Int32(feature - column.offset)
                let hot = Scaler.pretransformed(1, choice: choice)
                column.categoryOfRow.withUnsafeBufferPointer { categoryOfRow in
                    for (position, row) in rows.enumerated() { values[position] = categoryOfRow[row] == category ? hot : 0 }
                }
            }
        }
    }

    /// Row `row` scaled by `scaling` into `target[0..<featureCount]`.
    func writeScaledRow(_ row: Int, scaling: RowScaling, into target: UnsafeMutablePointer<Float>) {
        let width = table.numericNames.count
        table.numeric.withUnsafeBufferPointer { numeric in
            scaling.center.withUnsafeBufferPointer { center in
                scaling.inverse.withUnsafeBufferPointer { inverse in
                    for (feature, source) in numericSources.enumerated() {
                        let value = Scaler.pretransformed(numeric[row * width + source], choice: scaling.choice)
                        target[feature] = Float((value - center[feature]) * inverse[feature])
                    }
                }
            }
        }
        scaling.zero.withUnsafeBufferPointer { zero in
            guard let zero = zero.baseAddress else { return }
            for column in oneHotColumns {
                (target + column.offset).update(from: zero + column.offset, count: column.categoryCount)
                let category = Int(column.categoryOfRow[row])
                if category >= 0 { target[column.offset + category] = scaling.one[column.offset + category] }
            }
        }
    }

    /// Every row scaled, `(R, F)`: what windows are cut from.
    func scaledRows(scaling: RowScaling) -> [Float] {
        [Float](unsafeUninitializedCapacity: rowCount * featureCount) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            for row in 0..<rowCount { writeScaledRow(row, scaling: scaling, into: base + row * featureCount) }
            initialized = rowCount * featureCount
        }
    }
}

/// A fitted scaler ready for row-by-row use: `Float((t(x) - center) * (1 / scale))`, the loader's
/// formula since the first release (so loaded data is bit-identical across versions), with the
/// two possible values of every one-hot feature (category absent, present) worked out once.
struct RowScaling {
    let choice: ScalerChoice
    let center: [Double]
    let inverse: [Double]
    /// Scaled value of 0 and of 1 per feature.
    let zero: [Float]
    let one: [Float]

    init(scaler: Scaler) {
        choice = scaler.choice
        center = scaler.center
        let inverse = scaler.scale.map { 1 / $0 }
        self.inverse = inverse
        zero = scaler.center.indices.map { Float((Scaler.pretransformed(0, choice: scaler.choice) - scaler.center[$0]) * inverse[$0]) }
        one = scaler.center.indices.map { Float((Scaler.pretransformed(1, choice: scaler.choice) - scaler.center[$0]) * inverse[$0]) }
    }
}
