import FlowData
import Foundation
import Testing

/// Broken inputs, each written to a temporary folder: every one must give exactly one clear
/// `DataError` that names the file and the line or field at fault, never a crash.
@Suite("Malformed input")
struct MalformedInputTests {
    /// One broken input: the files to write, the spec to load, and words the message must hold.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let files: [String: [UInt8]]
        let spec: @Sendable (String) -> DataSpec
        let expected: [String]
        var testDescription: String { name }
    }

    static let cicHeader = "Flow ID,Src IP,Dst Port,Flow Duration,Total Fwd Packets,Label\n"
    static let cicRow = "1-2-3,10.0.0.1,80,100,2,BENIGN\n"
    static let cicAttack = "1-2-4,10.0.0.2,22,5,1,SSH-Patator\n"

    static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    static func csvSpec(_ format: DataFormat, _ file: String = "a.csv") -> @Sendable (String) -> DataSpec {
        { directory in
            var spec = DataSpec(format: format)
            spec.train = ["\(directory)/\(file)"]
            if format == .csv { spec.label = "Label" }
            return spec
        }
    }

    static func npySpec(x: String = "x.npy", y: String = "y.npy") -> @Sendable (String) -> DataSpec {
        { directory in
            var spec = DataSpec(format: .npy)
            spec.train = ["\(directory)/\(x)"]
            spec.labels = "\(directory)/\(y)"
            return spec
        }
    }

    /// A valid npy file's bytes for a small float32 array (our writer), to corrupt.
    static func npyBytes(shape: [Int] = [4, 1, 3], descr: String? = nil, fortran: Bool = false) -> [UInt8] {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { Float($0) }
        guard var bytes = try? NPY.encode(NPYArray(shape: shape, values: .float32(values)), source: "memory") else { return [] }
        if let descr {
            let header = String(decoding: bytes[10..<(10 + Int(bytes[8]))], as: UTF8.self)
            let replaced = header.replacingOccurrences(of: "'<f4'", with: "'\(descr)'")
            bytes = Array(bytes[0..<10]) + Array(replaced.utf8) + Array(bytes[(10 + Int(bytes[8]))...])
        }
        if fortran {
            let header = String(decoding: bytes[10..<(10 + Int(bytes[8]))], as: UTF8.self)
            let replaced = header.replacingOccurrences(of: "False", with: "True ")
            bytes = Array(bytes[0..<10]) + Array(replaced.utf8) + Array(bytes[(10 + Int(bytes[8]))...])
        }
        return bytes
    }

    static let labels4: [UInt8] = (try? NPY.encode(NPYArray(shape: [4], values: .int64([0, 1, 0, 1])), source: "m")) ?? []

    static let cases: [Case] = [
        Case(name: "empty CSV file", files: ["a.csv": []], spec: csvSpec(.cicflowmeter),
             expected: ["a.csv", "empty"]),
        Case(name: "header only", files: ["a.csv": text(cicHeader)], spec: csvSpec(.cicflowmeter),
             expected: ["a.csv", "no rows"]),
        Case(name: "ragged row (too few fields)", files: ["a.csv": text(cicHeader + cicRow + "1-2-3,10.0.0.1,80,100,BENIGN\n" + cicAttack)],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv line 3", "expected 6 fields", "found 5"]),
        Case(name: "ragged row (too many fields)", files: ["a.csv": text(cicHeader + cicRow + cicAttack + "1,2,3,4,5,6,7\n")],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv line 4", "found 7"]),
        Case(name: "missing label column", files: ["a.csv": text("Flow ID,Dst Port,Flow Duration\n1,80,3\n")],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv", "'Label'"]),
        Case(name: "generic CSV without the named label column", files: ["a.csv": text("x,y,class\n1,2,a\n3,4,b\n")],
             spec: csvSpec(.csv), expected: ["a.csv", "'Label'"]),
        Case(name: "non-numeric feature", files: ["a.csv": text(cicHeader + cicRow + "1-2-3,10.0.0.1,80,fast,2,BENIGN\n" + cicAttack)],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv line 3", "'Flow Duration'", "'fast' is not a number"]),
        Case(name: "unterminated quote", files: ["a.csv": text(cicHeader + cicRow + cicAttack + "1-2-3,\"10.0.0.1,80,100,2,BENIGN\n")],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv line 4", "never closed"]),
        Case(name: "text after a closing quote", files: ["a.csv": text(cicHeader + "1-2-3,\"10.0.0.1\"x,80,100,2,BENIGN\n" + cicAttack)],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv line 2", "closing quote"]),
        Case(name: "empty header name", files: ["a.csv": text("Flow ID,,Dst Port,Label\n1,2,3,BENIGN\n")],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv line 1", "header field 2 is empty"]),
        Case(name: "second file with a different header", files: [
            "a.csv": text(cicHeader + cicRow + cicAttack),
            "b.csv": text("Flow ID,Src IP,Dst Port,Duration,Total Fwd Packets,Label\n" + cicRow),
        ], spec: { directory in
            var spec = DataSpec(format: .cicflowmeter)
            spec.train = ["\(directory)/*.csv"]
            return spec
        }, expected: ["b.csv", "'Flow Duration'"]),
        Case(name: "NSL-KDD record with 42 fields", files: ["kdd.txt": text(
            "0,tcp,http,SF,1,2" + String(repeating: ",0", count: 35) + ",normal,21\n"
                + "0,tcp,http,SF,1,2" + String(repeating: ",0", count: 34) + ",neptune,21\n")],
             spec: csvSpec(.nslKDD, "kdd.txt"), expected: ["kdd.txt line 2", "expected 43 fields", "found 42"]),
        Case(name: "NSL-KDD attack name without a family", files: ["kdd.txt": text(
            "0,tcp,http,SF,1,2" + String(repeating: ",0", count: 35) + ",normal,21\n"
                + "0,tcp,http,SF,1,2" + String(repeating: ",0", count: 35) + ",teleport,21\n")],
             spec: csvSpec(.nslKDD, "kdd.txt"), expected: ["kdd.txt line 2", "'teleport'", "family"]),
        Case(name: "only one class", files: ["a.csv": text(cicHeader + cicRow + cicRow)],
             spec: csvSpec(.cicflowmeter), expected: ["a.csv", "only the class 'BENIGN'"]),
        Case(name: "drop names a column that does not exist", files: ["a.csv": text(cicHeader + cicRow + cicAttack)],
             spec: { directory in
                 var spec = DataSpec(format: .cicflowmeter)
                 spec.train = ["\(directory)/a.csv"]
                 spec.drop = ["Bogus Column"]
                 return spec
             }, expected: ["'drop'", "a.csv", "'Bogus Column'"]),
        Case(name: "glob matching nothing", files: [:], spec: { directory in
            var spec = DataSpec(format: .cicflowmeter)
            spec.train = ["\(directory)/*.csv"]
            return spec
        }, expected: ["*.csv", "no file matches"]),
        Case(name: "missing file", files: [:], spec: csvSpec(.nslKDD, "KDDTrain+.txt"),
             expected: ["KDDTrain+.txt", "no such file"]),
        Case(name: "npy with bad magic", files: ["x.npy": text("NOTNUMPY-at-all-really"), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "magic"]),
        Case(name: "npy truncated payload", files: ["x.npy": Array(npyBytes().dropLast(5)), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "truncated", "shape (4, 1, 3)"]),
        Case(name: "npy truncated header", files: ["x.npy": Array(npyBytes().prefix(40)), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "truncated", "header"]),
        Case(name: "npy header that is not a dict", files: ["x.npy": [0x93] + text("NUMPY") + [1, 0, 8, 0] + text("garbage\n"), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "bad header"]),
        Case(name: "npy in Fortran order", files: ["x.npy": npyBytes(fortran: true), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "Fortran"]),
        Case(name: "npy big-endian", files: ["x.npy": npyBytes(descr: ">f4"), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "big-endian"]),
        Case(name: "npy unsupported dtype", files: ["x.npy": npyBytes(descr: "<c8"), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "'<c8'", "not supported"]),
        Case(name: "npy labels of the wrong length", files: [
            "x.npy": npyBytes(),
            "y.npy": (try? NPY.encode(NPYArray(shape: [3], values: .int64([0, 1, 0])), source: "m")) ?? [],
        ], spec: npySpec(), expected: ["y.npy", "3 labels", "4 samples"]),
        Case(name: "npy float labels", files: [
            "x.npy": npyBytes(),
            "y.npy": (try? NPY.encode(NPYArray(shape: [4], values: .float32([0, 1, 0, 1])), source: "m")) ?? [],
        ], spec: npySpec(), expected: ["y.npy", "integer class indices or strings"]),
        Case(name: "npy X of rank 4", files: ["x.npy": npyBytes(shape: [4, 1, 3, 1]), "y.npy": labels4],
             spec: npySpec(), expected: ["x.npy", "(4, 1, 3, 1)", "(N, C, L)"]),
    ]

    @Test("each broken input gives one clear error naming the file and the line or field", arguments: cases)
    func malformed(_ testCase: Case) throws {
        let directory = try TemporaryDirectory()
        for (name, bytes) in testCase.files { try directory.write(bytes, to: name) }
        let spec = testCase.spec(directory.url.path)
        let error = try #require(throws: DataError.self) { _ = try loadDataset(spec) }
        for phrase in testCase.expected {
            #expect(error.description.contains(phrase), "'\(error.description)' lacks '\(phrase)'")
        }
        #expect(!error.description.contains("\n"), "one line: \(error.description)")
    }

    @Test("spec errors name the field", arguments: [
        (#"{"format": "cicflowmeter", "train": "a.csv", "bogus": 1}"#, "bogus"),
        (#"{"train": "a.csv"}"#, "format"),
        (#"{"format": "parquet", "train": "a.csv"}"#, "format"),
        (#"{"format": "nsl-kdd", "train": "a.txt", "binary": "yes"}"#, "binary"),
        (#"{"format": "nsl-kdd", "train": "a.txt", "val_fraction": 1.5}"#, "val_fraction"),
        (#"{"format": "nsl-kdd", "train": "a.txt", "scaler": "zscore"}"#, "scaler"),
        (#"{"format": "nsl-kdd", "train": "a.txt", "layout": "grid"}"#, "layout"),
        (#"{"format": "npy", "train": "x.npy"}"#, "labels"),
        (#"{"format": "csv", "train": "a.csv"}"#, "label"),
        (#"{"format": "cicflowmeter", "train": "a.csv", "families": true}"#, "families"),
        (#"{"format": "synthetic", "train": "a.csv"}"#, "train"),
        (#"{"format": "nsl-kdd", "train": 5}"#, "train"),
        (#"{"format": "nsl-kdd", "train": "a.txt", "max_per_class": 0}"#, "max_per_class"),
        (#"{"format": "nsl-kdd", "train": "a.txt", "window": 2.5}"#, "window"),
    ])
    func specErrors(json: String, field: String) throws {
        let error = try #require(throws: DataError.self) { _ = try DataSpec.decode(json: json) }
        #expect(error.description.contains("'\(field)'"), "\(error)")
    }
}
