/// The flow-record formats (CICFlowMeter, NSL-KDD, UNSW-NB15, generic CSV, synthetic): read the
/// files, clean, encode, form samples, split, scale on the training part only.
enum FlowDataset {
    static func load(_ spec: DataSpec, seed: UInt64) throws -> PreparedData {
        var summary = CleaningSummary()
        var (train, test, selection, schema) = try readTables(spec)
        summary.droppedColumns = selection.dropped
        let mode: LabelMode = spec.binary ? .binary : (spec.effectiveFamilies ? .families : .names)

        // Labels to classes, then rows with NaN/inf out.
        try mapLabels(&train, mode: mode, schema: schema, normalLabel: spec.normalLabel)
        summary.train.rowsRead = train.rowCount
        train = dropNonFinite(train, counts: &summary.train, values: &summary.nonFiniteValues)
        guard train.rowCount > 0 else {
            throw DataError.emptyData(source: train.sourceDescription, reason: "every row holds NaN or infinite values")
        }
        var testCounts = CleaningSummary.SplitCounts()
        if var table = test {
            try mapLabels(&table, mode: mode, schema: schema, normalLabel: spec.normalLabel)
            testCounts.rowsRead = table.rowCount
            test = dropNonFinite(table, counts: &testCounts, values: &summary.nonFiniteValues)
        }

        let usedLabels = train.usedLabels
        let classNames = mode.fixedClassNames ?? usedLabels.sorted()
        guard usedLabels.count >= 2 else {
            throw DataError.emptyData(
                source: train.sourceDescription,
                reason: "the training data has only the class '\(usedLabels.first ?? "")'; a classifier needs at least two")
        }
        var classIndex: [String: Int32] = [:]
        for (index, name) in classNames.enumerated() { classIndex[name] = Int32(index) }
        let trainClassOfCode = train.labelNames.map { classIndex[$0] ?? -1 }

        // Samples (rows or windows), each labelled by its last flow; capped per class, then split.
        let span = spec.layout == .window ? spec.window : 1
        var starts = FeaturePipeline.sampleStarts(
            layout: spec.layout, window: spec.window, stride: spec.effectiveStride, fileIndices: train.fileIndices)
        guard !starts.isEmpty else {
            throw DataError.emptyData(
                source: train.sourceDescription, reason: "no file has the \(spec.window) consecutive flows a window needs")
        }
        var sampleLabels = starts.map { trainClassOfCode[Int(train.labelCodes[$0 + span - 1])] }
        summary.train.samples = starts.count
        if let cap = spec.maxPerClass {
            var generator = RandomStream.classCap.generator(seed: seed)
            let kept = StratifiedSplit.capPerClass(labels: sampleLabels, cap: cap, generator: &generator)
            summary.train.cappedSamplesDropped = starts.count - kept.count
            starts = kept.map { starts[$0] }
            sampleLabels = kept.map { sampleLabels[$0] }
        }
        var generator = RandomStream.validationSplit.generator(seed: seed)
        let split = StratifiedSplit.split(labels: sampleLabels, validationFraction: spec.valFraction, generator: &generator)
        summary.trainingSamples = split.train.count
        summary.validationSamples = split.validation.count

        // Everything fitted sees only the flows of training samples: the kept columns, the one-hot
        // vocabularies and the scaler.
        let fitRows: [Int]
        if span == 1 {
            fitRows = split.train.map { starts[$0] }
        } else {
            var used = [Bool](repeating: false, count: train.rowCount)
            for sample in split.train { for row in starts[sample]..<(starts[sample] + span) { used[row] = true } }
            fitRows = used.indices.filter { used[$0] }
        }
        let (encoder, droppedByEncoder) = FeatureEncoder.fit(train, rows: fitRows)
        summary.droppedColumns += droppedByEncoder
        let featureCount = encoder.featureCount
        guard featureCount > 0 else {
            throw DataError.emptyData(source: train.sourceDescription, reason: "every feature column is constant")
        }
        let encodedTrain = try EncodedTable(table: train, encoder: encoder)
        summary.validationUnknownCategories = encodedTrain.unknownCategories  // training rows have none

        var pipeline = FeaturePipeline(
            format: spec.format, labelColumn: selection.label, inputNumericColumns: selection.numeric,
            inputSymbolicColumns: selection.symbolic, encoder: encoder,
            scaler: Scaler(choice: spec.scaler, center: [], scale: []),  // fitted below, on training samples
            labelMode: mode, normalLabel: spec.normalLabel, layout: spec.layout, window: spec.window,
            stride: spec.effectiveStride, transpose: false, channels: spec.layout == .window ? featureCount : 1,
            length: spec.layout == .window ? spec.window : featureCount, classNames: classNames,
            featureNames: encoder.featureNames)
        pipeline.scaler = Scaler.fit(spec.scaler, featureCount: featureCount) { feature, values in
            encodedTrain.column(feature, rows: fitRows, choice: spec.scaler, into: &values)
        }
        let trainRows = pipeline.scaledRows(encodedTrain)
        let training = pipeline.assemble(
            trainRows, starts: split.train.map { starts[$0] }, labels: split.train.map { sampleLabels[$0] })
        let validationStarts = split.validation.map { starts[$0] }
        let validationLabels = split.validation.map { sampleLabels[$0] }
        let validation = pipeline.assemble(trainRows, starts: validationStarts, labels: validationLabels)
        let validationFingerprint = fingerprint(
            train, starts: validationStarts, span: span, labels: validationLabels, classNames: classNames)

        var testSamples: SampleSet?
        var testFingerprint: String?
        if let table = test {
            let encoded = try EncodedTable(table: table, encoder: encoder)
            summary.unknownCategories = encoded.unknownCategories
            let testClassOfCode = table.labelNames.map { classIndex[$0] ?? -1 }
            let allStarts = pipeline.sampleStarts(fileIndices: table.fileIndices)
            var keptStarts: [Int] = []
            var labels: [Int32] = []
            for start in allStarts {
                let code = Int(table.labelCodes[start + span - 1])
                let index = testClassOfCode[code]
                if index >= 0 {
                    keptStarts.append(start)
                    labels.append(index)
                } else {
                    summary.unknownLabels[table.labelNames[code], default: 0] += 1
                }
            }
            testCounts.unknownLabelSamplesDropped = allStarts.count - keptStarts.count
            testCounts.samples = keptStarts.count
            summary.test = testCounts
            testSamples = pipeline.assemble(pipeline.scaledRows(encoded), starts: keptStarts, labels: labels)
            testFingerprint = fingerprint(table, starts: keptStarts, span: span, labels: labels, classNames: classNames)
        }
        return PreparedData(
            train: training, validation: validation, test: testSamples, classNames: classNames,
            featureNames: encoder.featureNames, pipeline: pipeline, summary: summary,
            validationFingerprint: validationFingerprint, testFingerprint: testFingerprint)
    }

    /// The `SplitFingerprint` of the samples starting at `starts`: file name and line of each
    /// sample's first flow, the flows per sample, and the class name.
    private static func fingerprint(_ table: FlowTable, starts: [Int], span: Int, labels: [Int32],
                                    classNames: [String]) -> String {
        var fingerprint = SplitFingerprint()
        fingerprint.add(span)
        for (start, label) in zip(starts, labels) {
            let file = table.files[Int(table.fileIndices[start])]
            fingerprint.add(String(file.split(separator: "/").last ?? Substring(file)))
            fingerprint.add(Int(table.lines[start]))
            fingerprint.add(classNames[Int(label)])
        }
        return fingerprint.text
    }

    /// The training and test tables and the columns chosen from the first training file.
    private static func readTables(_ spec: DataSpec) throws -> (FlowTable, FlowTable?, ColumnSelection, FlowSchema) {
        if spec.format == .synthetic {
            var schema = FlowSchema.schema(for: .synthetic)
            schema.defaultLabel = "label"
            let selection = ColumnSelection(numeric: SyntheticTraffic.featureNames, symbolic: [], label: "label", dropped: [])
            let train = SyntheticTraffic.table(count: spec.flows, seed: spec.syntheticSeed)
            let test = SyntheticTraffic.table(count: max(spec.flows / 4, 100), seed: spec.syntheticSeed &+ 1)
            return (train, test, selection, schema)
        }
        let schema = FlowSchema.schema(for: spec.format)
        let trainFiles = try FileGlob.expand(spec.train)
        guard let first = trainFiles.first else { throw DataError.noMatchingFiles(pattern: spec.train.joined(separator: " ")) }
        let firstBytes = try FileIO.readBytes(path: first)
        let names = try FlowTableReader.columnNames(bytes: firstBytes, path: first, schema: schema).names
        let selection = try ColumnSelection.choose(
            names: names, source: first, schema: schema, label: spec.label, drop: spec.drop,
            symbolic: spec.symbolic, dropIdentifiers: spec.dropIdentifiers)
        let reader = FlowTableReader(schema: schema, selection: selection)
        let train = try reader.read(files: trainFiles, firstFileBytes: firstBytes)
        let test = spec.test.isEmpty ? nil : try reader.read(files: FileGlob.expand(spec.test))
        return (train, test, selection, schema)
    }

    /// Replaces each label by its class under `mode` (one mapping per distinct label).
    private static func mapLabels(_ table: inout FlowTable, mode: LabelMode, schema: FlowSchema, normalLabel: String?) throws {
        guard mode != .names else { return }
        let codes = table.labelCodes
        let current = table
        table.labelNames = try table.labelNames.enumerated().map { code, name in
            try mode.map(name, schema: schema, normalLabel: normalLabel, location: {
                guard let row = codes.firstIndex(of: Int32(code)) else { return current.sourceDescription }
                return current.location(ofRow: row)
            }())
        }
    }

    /// The table without rows holding NaN or infinite values; counts rows and values per column.
    private static func dropNonFinite(
        _ table: FlowTable, counts: inout CleaningSummary.SplitCounts, values: inout [String: Int]
    ) -> FlowTable {
        let width = table.numericNames.count
        var keep: [Int] = []
        keep.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            var finite = true
            for column in 0..<width where !table.numeric[row * width + column].isFinite {
                finite = false
                values[table.numericNames[column], default: 0] += 1
            }
            if finite { keep.append(row) }
        }
        counts.nonFiniteRowsDropped = table.rowCount - keep.count
        return keep.count == table.rowCount ? table : table.selecting(rows: keep)
    }
}
