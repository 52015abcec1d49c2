import FlowData
import Foundation
import Tensor
import Testing

/// Seeded random corruptions of valid files: every one must load or throw a `DataError`, never
/// trap (out-of-range index, overflow) — the "never a crash" promise beyond the hand-made cases.
@Suite("Corrupted files")
struct CorruptionTests {
    /// `bytes` with a few random bytes overwritten, inserted or removed, or cut short.
    static func corrupt(_ bytes: [UInt8], generator: inout SeededGenerator) -> [UInt8] {
        var result = bytes
        for _ in 0..<(1 + generator.nextIndex(below: 4)) {
            guard !result.isEmpty else { break }
            let position = generator.nextIndex(below: result.count)
            switch generator.nextIndex(below: 4) {
            case 0: result[position] = UInt8(truncatingIfNeeded: generator.next())
            case 1: result.insert([UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x93][generator.nextIndex(below: 4)], at: position)
            case 2: result.remove(at: position)
            default: result = Array(result[0..<position])
            }
        }
        return result
    }

    @Test("corrupted .npy bytes never crash the reader")
    func npy() throws {
        var generator = SeededGenerator(seed: 11)
        let arrays = [
            NPYArray(shape: [3, 2, 4], values: .float32((0..<24).map(Float.init))),
            NPYArray(shape: [5], values: .strings(["a", "bb", "ccc", "", "e"])),
            NPYArray(shape: [2, 2], values: .bool([true, false, false, true])),
        ]
        var errors = 0
        for round in 0..<3_000 {
            let bytes = Self.corrupt(try NPY.encode(arrays[round % 3], source: "memory"), generator: &generator)
            do {
                _ = try NPY.read(bytes: bytes, source: "fuzz.npy")
            } catch let error as DataError {
                #expect(error.description.hasPrefix("fuzz.npy: "))
                errors += 1
            }
        }
        #expect(errors > 1_000)
    }

    @Test("corrupted CSV files never crash the loader")
    func csv() throws {
        var generator = SeededGenerator(seed: 12)
        var text = "Flow ID,Dst Port,Flow Duration,Flow Bytes/s,Label\n"
        for row in 0..<30 { text += "\"1-2-\(row)\",\(row % 3 == 0 ? 80 : 443),\(row * 13),\(Double(row) / 7),\(row % 2 == 0 ? "BENIGN" : "DDoS")\n" }
        let directory = try TemporaryDirectory()
        var spec = DataSpec(format: .cicflowmeter)
        spec.train = [directory.path("fuzz.csv")]
        for _ in 0..<300 {
            try directory.write(Self.corrupt(Array(text.utf8), generator: &generator), to: "fuzz.csv")
            do {
                _ = try loadDataset(spec)
            } catch let error as DataError {
                #expect(error.description.contains("fuzz.csv") || error.description.contains("data setting"), "\(error)")
            }
        }
    }
}
