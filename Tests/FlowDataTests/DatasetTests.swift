import FlowData
import Foundation
import Testing

/// `loadDataset` on npy inputs, the run-file form of `DataSpec`, and the stored pipeline that
/// prepares prediction input exactly like the training data.
@Suite("Dataset")
struct DatasetTests {
    @Test("npy: (N, C, L) float64 X with string labels; per-channel scaling on the training part")
    func npyStrings() throws {
        let directory = try TemporaryDirectory()
        // 40 samples of 2 channels x 3 steps; channel 1 is 1000x channel 0.
        var values: [Double] = []
        var labels: [String] = []
        for sample in 0..<40 {
            for channel in 0..<2 {
                for step in 0..<3 { values.append(Double(sample * 3 + step) * (channel == 0 ? 1 : 1000)) }
            }
            labels.append(sample % 4 == 0 ? "attack" : "BENIGN")
        }
        try NPY.write(NPYArray(shape: [40, 2, 3], values: .float64(values)), to: directory.path("x.npy"))
        try NPY.write(NPYArray(shape: [40], values: .strings(labels)), to: directory.path("y.npy"))
        var spec = DataSpec(format: .npy)
        spec.train = [directory.path("x.npy")]
        spec.labels = directory.path("y.npy")
        spec.scaler = ScalerChoice(kind: .minMax, logTransform: false)
        let data = try loadDataset(spec)
        #expect(data.classNames == ["BENIGN", "attack"])
        #expect(data.train.channels == 2 && data.train.length == 3)
        #expect(data.train.count == 32 && data.validation.count == 8)
        // Min-max per channel over the training samples: both channels span exactly [0, 1].
        for channel in 0..<2 {
            var lowest = Float.infinity, highest = -Float.infinity
            for sample in 0..<data.train.count {
                for step in 0..<3 {
                    let value = data.train.values[sample * 6 + channel * 3 + step]
                    lowest = min(lowest, value)
                    highest = max(highest, value)
                }
            }
            #expect(lowest == 0 && highest == 1)
        }
        spec.binary = true
        #expect(try loadDataset(spec).classNames == ["normal", "attack"])
    }

    @Test("npy: (N, L, C) with transpose, integer labels, NaN samples dropped, test split")
    func npyTranspose() throws {
        let directory = try TemporaryDirectory()
        // Sample n, step t, channel c holds 100n + 10t + c; sample 5 holds a NaN.
        var values: [Float] = []
        for sample in 0..<20 { for step in 0..<4 { for channel in 0..<3 { values.append(Float(100 * sample + 10 * step + channel)) } } }
        values[5 * 12 + 7] = .nan
        try NPY.write(NPYArray(shape: [20, 4, 3], values: .float32(values)), to: directory.path("x.npy"))
        try NPY.write(NPYArray(shape: [20], values: .int64((0..<20).map { Int64($0 % 3) })), to: directory.path("y.npy"))
        try NPY.write(NPYArray(shape: [2, 4, 3], values: .float32(Array(values[0..<24]))), to: directory.path("xt.npy"))
        try NPY.write(NPYArray(shape: [2], values: .int32([2, 0])), to: directory.path("yt.npy"))
        var spec = DataSpec(format: .npy)
        spec.train = [directory.path("x.npy")]
        spec.labels = directory.path("y.npy")
        spec.test = [directory.path("xt.npy")]
        spec.testLabels = directory.path("yt.npy")
        spec.transpose = true
        spec.valFraction = 0
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        let data = try loadDataset(spec)
        #expect(data.classNames == ["0", "1", "2"])
        #expect(data.summary.train.nonFiniteRowsDropped == 1)
        #expect(data.train.count == 19)
        #expect(data.train.channels == 3 && data.train.length == 4)
        // (C, L) layout: channel c, step t of sample 1 is 100 + 10t + c.
        #expect(Array(data.train.values[12..<24]) == [100, 110, 120, 130, 101, 111, 121, 131, 102, 112, 122, 132])
        #expect(data.test?.labels == [2, 0])
    }

    @Test("DataSpec: run-file JSON with defaults, and encode/decode round trip")
    func specJSON() throws {
        let spec = try DataSpec.decode(json: #"""
            { "format": "cicflowmeter", "train": "data/cic/*.csv", "test": null, "label": "Label",
              "drop": ["Flow ID", "Src IP", "Timestamp"], "binary": false, "val_fraction": 0.2,
              "max_per_class": null, "layout": "window", "scaler": "log-robust", "window": 32 }
            """#)
        #expect(spec.format == .cicflowmeter)
        #expect(spec.train == ["data/cic/*.csv"] && spec.test.isEmpty)
        #expect(spec.drop == ["Flow ID", "Src IP", "Timestamp"])
        #expect(spec.scaler == ScalerChoice(kind: .robust, logTransform: true))
        #expect(spec.layout == .window && spec.window == 32 && spec.effectiveStride == 32)
        #expect(spec.maxPerClass == nil && spec.valFraction == 0.2 && spec.dropIdentifiers)
        let encoded = try JSONEncoder().encode(spec)
        #expect(try DataSpec.decode(json: Array(encoded)) == spec)
        let minimal = try DataSpec.decode(json: #"{"format": "synthetic"}"#)
        #expect(minimal.scaler == .recommended && minimal.layout == .features && minimal.flows == 6000)
        #expect(try DataSpec.decode(json: #"{"format": "nsl-kdd", "train": ["a", "b"]}"#).effectiveFamilies)
    }

    @Test("the stored pipeline prepares new CSV input exactly like the training data's test split")
    func pipelineRoundTrip() throws {
        let directory = try TemporaryDirectory()
        var train = "size,proto,count,label\n"
        for row in 0..<60 { train += "\(row * 7 % 50),\(["tcp", "udp", "icmp"][row % 3]),\(row % 5),\(row % 4 == 0 ? "attack" : "normal")\n" }
        let test = "size,proto,count,label\n3,tcp,1,normal\n1e9,udp,2,attack\n5,gre,Infinity,normal\n9,icmp,0,other\n"
        let trainPath = try directory.write(train, to: "train.csv")
        let testPath = try directory.write(test, to: "test.csv")
        var spec = DataSpec(format: .csv)
        spec.train = [trainPath]
        spec.test = [testPath]
        spec.label = "label"
        spec.symbolic = ["proto"]
        spec.splitSeed = 4
        let data = try loadDataset(spec)
        let metadata = try data.preprocessingMetadata()
        #expect(metadata["data.scaler"] == "log-standard")
        #expect(metadata["data.class_names"] == #"["attack","normal"]"#)
        let restored = try FeaturePipeline(metadata: metadata)
        #expect(restored == data.pipeline)
        let input = try restored.prepare(files: [testPath])
        #expect(input.skippedRows == ["\(testPath) line 4"])
        #expect(input.origins == ["\(testPath) line 2", "\(testPath) line 3", "\(testPath) line 5"])
        #expect(input.samples.labels == [1, 0, -1])  // "other" is not a class
        let testSamples = try #require(data.test)
        #expect(Array(input.samples.values[0..<(2 * input.samples.sampleSize)]) == testSamples.values.array)
        // Without a label column, prediction input still loads.
        let unlabelled = try directory.write("proto,count,size\ntcp,1,3\n", to: "new.csv")
        let prepared = try restored.prepare(files: [unlabelled])
        #expect(prepared.samples.labels.isEmpty && prepared.samples.count == 1)
        #expect(prepared.samples.values.array == Array(testSamples.values[0..<testSamples.sampleSize]))
        #expect(throws: DataError.self) { try FeaturePipeline(metadata: ["data.pipeline": "{}"]) }
        // A damaged checkpoint whose vocabulary no longer matches its scaler is refused, not read past.
        var damaged = data.pipeline
        damaged.encoder?.symbolicColumns[0].categories.append("gre")
        var damagedMetadata = metadata
        damagedMetadata[FeaturePipeline.metadataKey] = try #require(try damaged.metadata()[FeaturePipeline.metadataKey])
        #expect(throws: DataError.self) { try FeaturePipeline(metadata: damagedMetadata) }
    }
}

@Suite("Data paths")
struct DataPathTests {
    @Test func dataDirectoryVariableIsExpandedInEveryPathField() throws {
        let spec = try DataSpec.decode(json: #"{"format": "npy", "train": "${TUNE_DATA_DIR}/x.npy", "labels": "${TUNE_DATA_DIR}/y.npy", "test": ["a.npy"], "test_labels": "b.npy"}"#)
        let directory = ProcessInfo.processInfo.environment["TUNE_DATA_DIR"] ?? "../shared/data"
        #expect(spec.train == ["\(directory)/x.npy"])
        #expect(spec.labels == "\(directory)/y.npy")
        #expect(spec.test == ["a.npy"])
    }
}
