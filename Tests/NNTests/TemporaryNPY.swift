// TEMPORARY: a minimal .npy reader until Data's NPY lands; deleted then.
import Foundation

public enum NPYValues: Sendable, Equatable { case float32([Float]), int64([Int64]) }
public struct NPYArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: NPYValues
    public func floats() throws -> [Float] {
        switch values { case .float32(let v): return v; case .int64(let v): return v.map(Float.init) }
    }
    public func integers() throws -> [Int] {
        switch values { case .float32(let v): return v.map { Int($0) }; case .int64(let v): return v.map { Int($0) } }
    }
}
public enum NPY {
    public static func read(path: String) throws -> NPYArray {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        let shapeText = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let start = 10 + headerLength
        if header.contains("<f4") {
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { t in bytes.withUnsafeBytes { s in t.copyMemory(from: UnsafeRawBufferPointer(rebasing: s[start..<(start + 4 * count)])) } }
            return NPYArray(shape: shape, values: .float32(values))
        }
        var values = [Int64](repeating: 0, count: count)
        values.withUnsafeMutableBytes { t in bytes.withUnsafeBytes { s in t.copyMemory(from: UnsafeRawBufferPointer(rebasing: s[start..<(start + 8 * count)])) } }
        return NPYArray(shape: shape, values: .int64(values))
    }
}
