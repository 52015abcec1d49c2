/// The `npy` format: X `(N, C, L)` (or `(N, L, C)` with `transpose`, or `(N, F)` read as
/// `(N, 1, F)`) and y `(N,)` of integer class indices or strings.
enum NPYDataset {
    /// Labels as stored: class indices or names.
    enum Labels {
        case indices([Int])
        case names([String])

        /// The class name of each sample under `mode` (indices are named "0", "1", ...).
        func names(mode: LabelMode, normalLabel: String?) -> [String] {
            switch (self, mode) {
            case (.indices(let values), .binary):
                return values.map { $0 == 0 ? "normal" : "attack" }
            case (.indices(let values), _):
                return values.map(String.init)
            case (.names(let values), .binary):
                return values.map { label in
                    let normal = normalLabel.map { label.lowercased() == $0.lowercased() }
                        ?? ["benign", "normal"].contains(TextDecoding.trimmed(label).lowercased())
                    return normal ? "normal" : "attack"
                }
            case (.names(let values), _):
                return values.map(TextDecoding.trimmed)
            }
        }
    }

    /// The samples of an X file as `(N, C, L)` float32, labels empty.
    static func readSamples(path: String, transpose: Bool) throws -> SampleSet {
        let array = try NPY.read(path: path)
        let values: [Float]
        do { values = try array.floats() } catch {
            throw DataError.unsupportedNPY(source: path, reason: "X must hold numbers, not \(array.values.dtypeName) values")
        }
        switch array.shape.count {
        case 2 where !transpose:
            return SampleSet(values: values, labels: [], channels: 1, length: array.shape[1])
        case 3:
            let (count, first, second) = (array.shape[0], array.shape[1], array.shape[2])
            guard transpose else { return SampleSet(values: values, labels: [], channels: first, length: second) }
            // (N, L, C) -> (N, C, L)
            var transposed = [Float](repeating: 0, count: values.count)
            for sample in 0..<count {
                let base = sample * first * second
                for step in 0..<first {
                    for channel in 0..<second {
                        transposed[base + channel * first + step] = values[base + step * second + channel]
                    }
                }
            }
            return SampleSet(values: transposed, labels: [], channels: second, length: first)
        default:
            throw DataError.inconsistent(
                source: path,
                reason: "X has shape \(NPY.shapeText(array.shape)); expected (N, C, L)"
                    + (transpose ? " stored as (N, L, C)" : " or (N, F)"))
        }
    }

    /// The labels of a y file, which must hold `count` values (one per sample of `xPath`).
    static func readLabels(path: String, count: Int, xPath: String) throws -> Labels {
        let array = try NPY.read(path: path)
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw DataError.inconsistent(source: path, reason: "y has shape \(NPY.shapeText(array.shape)); expected (N,)")
        }
        guard array.shape[0] == count else {
            throw DataError.inconsistent(
                source: path, reason: "y has \(array.shape[0]) labels but \(xPath) has \(count) samples")
        }
        if case .strings(let names) = array.values { return .names(names) }
        let indices: [Int]
        do { indices = try array.integers() } catch {
            throw DataError.unsupportedNPY(
                source: path, reason: "y must hold integer class indices or strings, not \(array.values.dtypeName) values")
        }
        if let bad = indices.firstIndex(where: { $0 < 0 }) {
            throw DataError.inconsistent(
                source: path, reason: "label \(indices[bad]) at index \(bad) is negative; labels are class indices 0, 1, ...")
        }
        return .indices(indices)
    }

    static func load(_ spec: DataSpec, seed: UInt64) throws -> PreparedData {
        var summary = CleaningSummary()
        let mode: LabelMode = spec.binary ? .binary : .names
        guard let trainPath = try FileGlob.expand(spec.train).first, let labelsPath = spec.labels else {
            throw DataError.invalidSpec(field: "train", reason: "npy needs an X file in 'train' and a y file in 'labels'")
        }
        var train = try readSamples(path: trainPath, transpose: spec.transpose)
        let trainLabels = try readLabels(path: labelsPath, count: train.count, xPath: trainPath)
        var trainNames = trainLabels.names(mode: mode, normalLabel: spec.normalLabel)

        var test: SampleSet?
        var testNames: [String] = []
        var testLabels: Labels?
        if let testPattern = spec.test.first, let testLabelsPath = spec.testLabels {
            guard let testPath = try FileGlob.expand([testPattern]).first else { throw DataError.noMatchingFiles(pattern: testPattern) }
            let samples = try readSamples(path: testPath, transpose: spec.transpose)
            guard samples.channels == train.channels, samples.length == train.length else {
                throw DataError.inconsistent(
                    source: testPath,
                    reason: "test samples are \(samples.channels) x \(samples.length), training samples \(train.channels) x \(train.length)")
            }
            testLabels = try readLabels(path: testLabelsPath, count: samples.count, xPath: testPath)
            testNames = testLabels?.names(mode: mode, normalLabel: spec.normalLabel) ?? []
            test = samples
        }

        // Class names: binary fixed; indices 0...max; strings sorted from training.
        let classNames: [String]
        if let fixed = mode.fixedClassNames {
            classNames = fixed
        } else if case .indices(let values) = trainLabels {
            var highest = values.max() ?? 0
            if case .indices(let testValues)? = testLabels { highest = max(highest, testValues.max() ?? 0) }
            classNames = (0...highest).map(String.init)
        } else {
            classNames = Set(trainNames).sorted()
        }
        var classIndex: [String: Int32] = [:]
        for (index, name) in classNames.enumerated() { classIndex[name] = Int32(index) }

        summary.train.rowsRead = train.count
        (train, trainNames) = dropNonFinite(train, names: trainNames, counts: &summary.train)
        guard train.count > 0 else {
            throw DataError.emptyData(source: trainPath, reason: "every sample holds NaN or infinite values")
        }
        train.labels = trainNames.map { classIndex[$0] ?? -1 }
        summary.train.samples = train.count

        if var samples = test {
            var counts = CleaningSummary.SplitCounts()
            counts.rowsRead = samples.count
            (samples, testNames) = dropNonFinite(samples, names: testNames, counts: &counts)
            let known = testNames.indices.filter { classIndex[testNames[$0]] != nil }
            for name in testNames where classIndex[name] == nil { summary.unknownLabels[name, default: 0] += 1 }
            counts.unknownLabelSamplesDropped = testNames.count - known.count
            samples.labels = testNames.map { classIndex[$0] ?? -1 }
            samples = samples.selecting(known)
            counts.samples = samples.count
            summary.test = counts
            test = samples
        }

        var sampleIndices = Array(0..<train.count)
        if let cap = spec.maxPerClass {
            var generator = RandomStream.classCap.generator(seed: seed)
            sampleIndices = StratifiedSplit.capPerClass(labels: train.labels, cap: cap, generator: &generator)
            summary.train.cappedSamplesDropped = train.count - sampleIndices.count
            train = train.selecting(sampleIndices)
        }
        var generator = RandomStream.validationSplit.generator(seed: seed)
        let split = StratifiedSplit.split(labels: train.labels, validationFraction: spec.valFraction, generator: &generator)
        var training = train.selecting(split.train)
        var validation = train.selecting(split.validation)
        let validationFingerprint = fingerprint(validation, classNames: classNames)
        let testFingerprint = test.map { fingerprint($0, classNames: classNames) }
        summary.trainingSamples = training.count
        summary.validationSamples = validation.count

        // One scale per channel, fitted on the training part only.
        let (channels, length) = (train.channels, train.length)
        let columns: [[Double]] = (0..<channels).map { channel in
            var column: [Double] = []
            column.reserveCapacity(training.count * length)
            for sample in 0..<training.count {
                let base = sample * channels * length + channel * length
                for step in 0..<length { column.append(Double(training.values[base + step])) }
            }
            return column
        }
        let scaler = Scaler.fit(spec.scaler, columns: columns)
        FeaturePipeline.scaleChannels(&training.values, channels: channels, length: length, scaler: scaler)
        FeaturePipeline.scaleChannels(&validation.values, channels: channels, length: length, scaler: scaler)
        if var samples = test {
            FeaturePipeline.scaleChannels(&samples.values, channels: channels, length: length, scaler: scaler)
            test = samples
        }

        let featureNames = (0..<channels).map { "channel \($0)" }
        let pipeline = FeaturePipeline(
            format: .npy, labelColumn: nil, inputNumericColumns: [], inputSymbolicColumns: [], encoder: nil,
            scaler: scaler, labelMode: mode, normalLabel: spec.normalLabel, layout: .features,
            window: spec.window, stride: spec.effectiveStride, transpose: spec.transpose,
            channels: channels, length: length, classNames: classNames, featureNames: featureNames)
        return PreparedData(
            train: training, validation: validation, test: test, classNames: classNames,
            featureNames: featureNames, pipeline: pipeline, summary: summary,
            validationFingerprint: validationFingerprint, testFingerprint: testFingerprint)
    }

    /// The `SplitFingerprint` of unscaled samples: their shape, raw values and class names.
    private static func fingerprint(_ samples: SampleSet, classNames: [String]) -> String {
        var fingerprint = SplitFingerprint()
        fingerprint.add(samples.channels)
        fingerprint.add(samples.length)
        for (index, label) in samples.labels.enumerated() {
            fingerprint.add(samples.values[(index * samples.sampleSize)..<((index + 1) * samples.sampleSize)])
            fingerprint.add(classNames[Int(label)])
        }
        return fingerprint.text
    }

    /// Drops samples holding NaN or infinite values (and their label names).
    private static func dropNonFinite(
        _ samples: SampleSet, names: [String], counts: inout CleaningSummary.SplitCounts
    ) -> (SampleSet, [String]) {
        let size = samples.sampleSize
        let finite = (0..<samples.count).filter { sample in
            samples.values[(sample * size)..<((sample + 1) * size)].allSatisfy(\.isFinite)
        }
        counts.nonFiniteRowsDropped = samples.count - finite.count
        guard finite.count < samples.count else { return (samples, names) }
        return (samples.selecting(finite), finite.map { names[$0] })
    }
}
