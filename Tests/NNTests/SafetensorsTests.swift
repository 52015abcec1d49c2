import Foundation
import NN
import Tensor
import Testing

@Suite("safetensors")
struct SafetensorsTests {
    func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-safetensors-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test func modelRoundTripGivesIdenticalLogits() throws {
        var configuration = ModelConfiguration(inputChannels: 3, classCount: 4, variant: .attention)
        configuration.convChannels = [8, 16]
        configuration.lstmHidden = 6
        configuration.heads = 2
        configuration.headDim = 4
        let model = try CNNLSTM(configuration: configuration, seed: 1)
        var generator = SeededGenerator(seed: 2)
        let input = Tensor(shape: [5, 3, 12])
        for index in 0..<input.count { input[flat: index] = generator.nextNormal() }
        // One training forward moves the running statistics and the counters off their defaults.
        try model.forward(input, training: true, generator: &generator)
        let expected = try model.forward(input, training: false, generator: &generator).toArray()

        let path = temporaryPath("model.safetensors")
        try Safetensors.write(tensors: model.parameters.stateDictionary(), metadata: ["variant": "attention"], to: path)
        let file = try Safetensors.read(path: path)
        #expect(file.metadata == ["variant": "attention"])
        #expect(file.tensors["conv.1.num_batches_tracked"] == SafeTensor(shape: [], values: .int64([1])))

        let restored = try CNNLSTM(configuration: configuration, seed: 99)
        try restored.parameters.load(file.tensors, path: path)
        #expect(try restored.forward(input, training: false, generator: &generator).toArray() == expected)
    }

    @Test func overwritingReplacesTheFileAndLeavesNoTemporaryBehind() throws {
        let path = temporaryPath("twice.safetensors")
        try Safetensors.write(tensors: ["a": SafeTensor(shape: [1], floats: [1])], to: path)
        try Safetensors.write(tensors: ["a": SafeTensor(shape: [1], floats: [2])], to: path)
        #expect(try Safetensors.read(path: path).tensors["a"]?.floats == [2])
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["twice.safetensors"])
    }

    @Test func headerIsPaddedToEightBytes() throws {
        let path = temporaryPath("small.safetensors")
        try Safetensors.write(tensors: ["a": SafeTensor(shape: [3], floats: [1, 2, 3])], to: path)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 12)
    }

    @Test func malformedFilesGiveClearErrors() throws {
        let valid: [UInt8] = {
            let path = temporaryPath("valid.safetensors")
            try? Safetensors.write(tensors: ["w": SafeTensor(shape: [2], floats: [1, 2])], to: path)
            return (try? Array(Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
        }()
        #expect(!valid.isEmpty)
        func header(_ json: String, data: Int = 8) -> [UInt8] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes + Array(json.utf8) + Array(repeating: 0, count: data)
        }
        let cases: [(String, [UInt8], String)] = [
            ("empty file", [], "too short"),
            ("header longer than file", Array(valid.prefix(12)), "does not fit"),
            ("header not JSON", header("{nope"), "not valid JSON"),
            ("header not an object", header("[1,2]"), "not a JSON object"),
            ("missing offsets", header(#"{"w":{"dtype":"F32","shape":[2]}}"#), "data_offsets"),
            ("unsupported dtype", header(#"{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#), "BF16"),
            ("offsets past the data", header(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#), "data_offsets"),
            ("shape disagrees with bytes", header(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#), "data_offsets"),
            ("metadata not strings", header(#"{"__metadata__":{"a":1}}"#), "__metadata__"),
        ]
        for (what, bytes, fragment) in cases {
            #expect(throws: SafetensorsError.self, "\(what)") {
                try Safetensors.decode(bytes, path: "bad.safetensors")
            }
            do {
                _ = try Safetensors.decode(bytes, path: "bad.safetensors")
            } catch {
                #expect(error.description.contains("bad.safetensors"), "\(what): \(error)")
                #expect(error.description.contains(fragment), "\(what): \(error)")
            }
        }
    }

    @Test func loadingRejectsMissingExtraAndMisshapenTensors() throws {
        let model = try CNNLSTM(configuration: ModelConfiguration(inputChannels: 2, classCount: 2))
        var tensors = model.parameters.stateDictionary()
        let original = tensors

        tensors["fc.bias"] = nil
        #expect(throws: SafetensorsError.missingTensor(path: "m", name: "fc.bias")) {
            try model.parameters.load(tensors, path: "m")
        }
        tensors = original
        tensors["fc.bias"] = SafeTensor(shape: [3], floats: [0, 0, 0])
        #expect(throws: SafetensorsError.shapeMismatch(path: "m", name: "fc.bias", expected: [2], found: [3])) {
            try model.parameters.load(tensors, path: "m")
        }
        tensors = original
        tensors["mha.q.weight"] = SafeTensor(shape: [1], floats: [0])
        #expect(throws: SafetensorsError.unexpectedTensors(path: "m", names: ["mha.q.weight"])) {
            try model.parameters.load(tensors, path: "m")
        }
    }

    @Test func wrongInputShapesThrowInsteadOfCrashing() throws {
        let model = try CNNLSTM(configuration: ModelConfiguration(inputChannels: 3, classCount: 2))
        var generator = SeededGenerator(seed: 0)
        for (shape, training) in [([4, 2, 16], false), ([4, 3], false), ([1, 3, 16], true), ([4, 3, 3], false)] {
            #expect(throws: ModelError.self, "\(shape)") {
                try model.forward(Tensor(shape: shape), training: training, generator: &generator)
            }
        }
        #expect(throws: ModelError.self) {
            var configuration = ModelConfiguration(inputChannels: 3, classCount: 1)
            configuration.dropout = 1
            try configuration.validate()
        }
    }

    @Test func missingFileNamesThePath() {
        #expect(throws: SafetensorsError.self) { try Safetensors.read(path: "/nonexistent/model.safetensors") }
    }
}
