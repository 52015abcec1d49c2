import FlowData
import Foundation
import TestSupport
import Testing

/// The committed NumPy-written fixtures (Tests/Fixtures/npy).
private func fixture(_ name: String) -> String {
    TestEnvironment.committedFixtures.appendingPathComponent("npy/\(name)").path
}

@Suite("NPY")
struct NPYTests {
    @Test("float32 (2, 3, 4) written by NumPy")
    func float32FromNumPy() throws {
        let array = try NPY.read(path: fixture("float32_2x3x4.npy"))
        #expect(array.shape == [2, 3, 4])
        #expect(array.values == .float32((0..<24).map { Float($0) * 0.5 - 3 }))
    }

    @Test("every supported dtype written by NumPy")
    func dtypesFromNumPy() throws {
        #expect(try NPY.read(path: fixture("float64_5.npy"))
            == NPYArray(shape: [5], values: .float64([0.1, -2.5, 1e300, -0.0, 3.0])))
        #expect(try NPY.read(path: fixture("int32_3x2.npy"))
            == NPYArray(shape: [3, 2], values: .int32([1, -2, 3, -4, .max, .min])))
        #expect(try NPY.read(path: fixture("int64_4.npy"))
            == NPYArray(shape: [4], values: .int64([0, 1, -1, 9_007_199_254_740_993])))
        #expect(try NPY.read(path: fixture("uint8_2x2.npy"))
            == NPYArray(shape: [2, 2], values: .uint8([0, 255, 7, 128])))
        #expect(try NPY.read(path: fixture("bool_3.npy"))
            == NPYArray(shape: [3], values: .bool([true, false, true])))
        #expect(try NPY.read(path: fixture("strings_4.npy"))
            == NPYArray(shape: [4], values: .strings(["BENIGN", "DoS Hulk", "Web Attack \u{2013} XSS", ""])))
        #expect(try NPY.read(path: fixture("scalar_float32.npy")) == NPYArray(shape: [], values: .float32([2.5])))
        #expect(try NPY.read(path: fixture("empty_0x3.npy")) == NPYArray(shape: [0, 3], values: .float32([])))
    }

    @Test("format versions 2.0 and 3.0")
    func laterVersions() throws {
        #expect(try NPY.read(path: fixture("version2_float32_2x2.npy"))
            == NPYArray(shape: [2, 2], values: .float32([1, 2, 3, 4])))
        #expect(try NPY.read(path: fixture("version3_int64_3.npy"))
            == NPYArray(shape: [3], values: .int64([5, 6, 7])))
    }

    @Test("Fortran order, big-endian and object arrays are refused with the file named",
          arguments: [("fortran_2x3.npy", "Fortran"), ("bigendian_3.npy", "big-endian"), ("object_2.npy", "object")])
    func refused(name: String, phrase: String) throws {
        let path = fixture(name)
        let error = try #require(throws: DataError.self) { try NPY.read(path: path) }
        #expect(error.description.contains(path))
        #expect(error.description.contains(phrase))
    }

    @Test("our writer produces the same bytes as NumPy")
    func byteIdenticalToNumPy() throws {
        let path = fixture("float32_2x3x4.npy")
        let numpy = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let array = try NPY.read(path: path)
        #expect(try NPY.encode(array, source: "memory") == numpy)
        let strings = try NPY.read(path: fixture("strings_4.npy"))
        let numpyStrings = Array(try Data(contentsOf: URL(fileURLWithPath: fixture("strings_4.npy"))))
        #expect(try NPY.encode(strings, source: "memory") == numpyStrings)
    }

    @Test("round trip of every dtype through a file")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let arrays: [NPYArray] = [
            NPYArray(shape: [2, 3, 2], values: .float32((0..<12).map { Float($0) / 7 - 0.3 })),
            NPYArray(shape: [3], values: .float64([.pi, -.infinity, .nan])),
            NPYArray(shape: [2, 2], values: .int32([1, 2, -3, .min])),
            NPYArray(shape: [1, 3], values: .int64([.max, 0, -5])),
            NPYArray(shape: [4], values: .uint8([0, 1, 254, 255])),
            NPYArray(shape: [2], values: .bool([false, true])),
            NPYArray(shape: [3], values: .strings(["normal", "neptune", "Web Attack \u{FFFD} Brute Force"])),
            NPYArray(shape: [], values: .float32([42])),
            NPYArray(shape: [0], values: .int64([])),
        ]
        for (index, array) in arrays.enumerated() {
            let path = directory.path("a\(index).npy")
            try NPY.write(array, to: path)
            let back = try NPY.read(path: path)
            #expect(back.shape == array.shape)
            if case .float64(let values) = array.values, case .float64(let read) = back.values {
                #expect(zip(values, read).allSatisfy { $0.bitPattern == $1.bitPattern })
            } else {
                #expect(back == array)
            }
            // Every header is padded so the payload starts at a multiple of 64 bytes.
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
        }
    }

    @Test("a header longer than 64 KiB is written as format 2.0 and read back")
    func version2Write() throws {
        let shape = [Int](repeating: 1, count: 30_000)  // "1, " x 30,000 > 65,535 header bytes
        let array = NPYArray(shape: shape, values: .float32([7]))
        let bytes = try NPY.encode(array, source: "memory")
        #expect(bytes[6] == 2)
        #expect(try NPY.read(bytes: bytes, source: "memory") == array)
    }

    @Test("writing a shape that does not match the values fails")
    func writeMismatch() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("bad.npy")
        let error = try #require(throws: DataError.self) {
            try NPY.write(NPYArray(shape: [2, 2], values: .float32([1, 2, 3])), to: path)
        }
        #expect(error.description.contains("needs 4 values"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("floats() and integers() convert and refuse as documented")
    func conversions() throws {
        #expect(try NPYArray(shape: [2], values: .int64([3, -4])).floats() == [3, -4])
        #expect(try NPYArray(shape: [2], values: .bool([true, false])).floats() == [1, 0])
        #expect(try NPYArray(shape: [2], values: .float64([0.5, 2])).floats() == [0.5, 2])
        #expect(try NPYArray(shape: [2], values: .uint8([3, 200])).integers() == [3, 200])
        #expect(try NPYArray(shape: [1], values: .int32([-9])).integers() == [-9])
        #expect(throws: DataError.self) { try NPYArray(shape: [1], values: .strings(["a"])).floats() }
        #expect(throws: DataError.self) { try NPYArray(shape: [1], values: .float32([1])).integers() }
    }

    @Test("a missing file names the path")
    func missingFile() throws {
        let error = try #require(throws: DataError.self) { try NPY.read(path: "/nonexistent/x.npy") }
        #expect(error.description.contains("/nonexistent/x.npy"))
    }
}
