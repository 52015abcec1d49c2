import FlowData
import Foundation
import NN
import Tensor
import TestSupport
import Testing

/// One case of ../shared/fixtures/torch-parity: case.json plus its .npy tensors, read through the
/// project's own NPY reader.
struct ParityFixture {
    let directory: URL
    let settings: [String: Any]
    private let files: [String: String]

    /// Loads a case, or returns nil when the fixtures are absent (skipped; a failure under CI).
    static func load(_ name: String) throws -> ParityFixture? {
        guard let root = TestEnvironment.fixturesDirectory() else { return nil }
        let directory = root.appendingPathComponent(name)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("case.json")))
        let settings = try #require(json as? [String: Any])
        let tensors = try #require(settings["tensors"] as? [String: [String: Any]])
        var files: [String: String] = [:]
        for (key, value) in tensors { files[key] = value["file"] as? String }
        return ParityFixture(directory: directory, settings: settings, files: files)
    }

    /// The names of every tensor in the case with the given prefix (e.g. "param/"), prefix removed.
    func names(withPrefix prefix: String) -> [String] {
        files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    func array(_ name: String) throws -> NPYArray {
        let file = try #require(files[name], "fixture has no tensor \(name)")
        return try NPY.read(path: directory.appendingPathComponent(file).path)
    }

    func floats(_ name: String) throws -> [Float] { try array(name).floats() }

    func tensor(_ name: String) throws -> Tensor {
        let array = try array(name)
        return try Tensor(shape: array.shape, values: array.floats())
    }

    func labels(_ name: String) throws -> [Int32] { try array(name).integers().map { Int32($0) } }

    /// Copies every `param/NAME` tensor into the store entry `prefix.NAME` (or `NAME` without prefix).
    func loadParameters(into store: ParameterStore, prefix: String? = nil) throws {
        for name in names(withPrefix: "param/") {
            let storeName = prefix.map { "\($0).\(name)" } ?? name
            let entry = try #require(store.entry(named: storeName), "store has no entry \(storeName)")
            try store.setValues(try floats("param/\(name)"), of: entry)
        }
    }

    /// Checks every `grad/NAME` tensor (other than the input's) against the store's gradient.
    /// Names in `exactlyZero` have a zero gradient in exact arithmetic (a bias that a following
    /// training-mode BatchNorm or softmax cancels); both sides are rounding noise there, so those
    /// are checked to be below 1e-6 instead of compared.
    func expectParameterGradients(_ store: ParameterStore, prefix: String? = nil, exactlyZero: Set<String> = [],
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let names = self.names(withPrefix: "grad/").filter { $0 != "input" && $0 != "logits" }
        #expect(!names.isEmpty, sourceLocation: sourceLocation)
        for name in names {
            let storeName = prefix.map { "\($0).\(name)" } ?? name
            let entry = try #require(store.entry(named: storeName), "store has no entry \(storeName)")
            let ours = store.gradientValues(of: entry)
            let theirs = try floats("grad/\(name)")
            if exactlyZero.contains(name) {
                let largest = (ours + theirs).map(abs).max() ?? 0
                #expect(largest < 1e-6, "gradient of \(storeName) should be zero, largest \(largest)",
                        sourceLocation: sourceLocation)
            } else {
                Tolerance.expectClose(ours, theirs, "gradient of \(storeName)", sourceLocation: sourceLocation)
            }
        }
    }
}

/// (N, C, L) <-> (N, L, C) for comparing channels-last activations with PyTorch's layout.
enum Layout {
    static func channelsLast(_ tensor: Tensor) -> Tensor {
        let (batch, channels, length) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let result = Tensor(shape: [batch, length, channels])
        Kernels.transpose(tensor.pointer, batch: batch, rows: channels, columns: length, into: result.pointer)
        return result
    }

    static func channelsFirst(_ tensor: Tensor) -> Tensor {
        let (batch, length, channels) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let result = Tensor(shape: [batch, channels, length])
        Kernels.transpose(tensor.pointer, batch: batch, rows: length, columns: channels, into: result.pointer)
        return result
    }
}
