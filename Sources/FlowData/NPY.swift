/// The element values of a NumPy array, in C (row-major) order, one case per supported dtype.
public enum NPYValues: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])
    case uint8([UInt8])
    case bool([Bool])
    case strings([String])

    /// The number of elements.
    public var count: Int {
        switch self {
        case .float32(let values): return values.count
        case .float64(let values): return values.count
        case .int32(let values): return values.count
        case .int64(let values): return values.count
        case .uint8(let values): return values.count
        case .bool(let values): return values.count
        case .strings(let values): return values.count
        }
    }

    /// The NumPy dtype name, for messages (`float32`, `<U`...).
    public var dtypeName: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .bool: return "bool"
        case .strings: return "unicode string"
        }
    }
}

/// An n-dimensional NumPy array: a shape and its values in C order.
public struct NPYArray: Sendable, Equatable {
    /// The extent of each dimension, outermost first; a 0-d scalar has shape `[]` and one value.
    public var shape: [Int]
    public var values: NPYValues

    public init(shape: [Int], values: NPYValues) {
        self.shape = shape
        self.values = values
    }

    /// The values as Float32, converting any numeric dtype (bool as 0/1); throws for strings.
    public func floats() throws -> [Float] {
        switch values {
        case .float32(let values): return values
        case .float64(let values): return values.map { Float($0) }
        case .int32(let values): return values.map { Float($0) }
        case .int64(let values): return values.map { Float($0) }
        case .uint8(let values): return values.map { Float($0) }
        case .bool(let values): return values.map { $0 ? 1 : 0 }
        case .strings:
            throw DataError.wrongValueType(reason: "expected numbers, but the array holds strings")
        }
    }

    /// The values as Int for integer and bool dtypes; throws for floats and strings.
    public func integers() throws -> [Int] {
        switch values {
        case .int32(let values): return values.map { Int($0) }
        case .int64(let values): return values.map { Int($0) }
        case .uint8(let values): return values.map { Int($0) }
        case .bool(let values): return values.map { $0 ? 1 : 0 }
        case .float32, .float64, .strings:
            throw DataError.wrongValueType(
                reason: "expected integers, but the array holds \(values.dtypeName) values")
        }
    }
}

/// NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), little-endian and C order.
///
/// The format: the magic `\x93NUMPY`, a major and minor version byte, the header length
/// (2 bytes in 1.0, 4 bytes in 2.0/3.0), a Python dict literal with `descr`, `fortran_order`
/// and `shape`, padded with spaces to a multiple of 64 bytes, then the raw values.
public enum NPY {
    /// Reads the .npy file at `path`; errors name the file.
    public static func read(path: String) throws -> NPYArray {
        let bytes = try FileIO.readBytes(path: path)
        return try read(bytes: bytes, source: path)
    }

    /// Parses the bytes of a .npy file; `source` names it in errors.
    public static func read(bytes: [UInt8], source: String) throws -> NPYArray {
        let (header, payloadOffset) = try NPYHeader.parse(bytes: bytes, source: source)
        let payloadBytes = bytes.count - payloadOffset
        let (count, overflow) = header.elementCount.multipliedReportingOverflow(by: header.itemSize)
        guard !overflow, count <= payloadBytes else {
            throw DataError.malformedNPY(
                source: source,
                reason: "truncated: the header promises \(header.elementCount) values of "
                    + "\(header.itemSize) bytes (shape \(shapeText(header.shape))) but only "
                    + "\(payloadBytes) bytes follow")
        }
        let values = try decodeValues(bytes: bytes, offset: payloadOffset, header: header, source: source)
        return NPYArray(shape: header.shape, values: values)
    }

    /// Copies the payload into typed arrays: one memcpy for fixed-width numbers.
    private static func decodeValues(
        bytes: [UInt8], offset: Int, header: NPYHeader, source: String
    ) throws -> NPYValues {
        let count = header.elementCount
        switch header.kind {
        case .float32: return .float32(copyPayload(bytes, offset: offset, count: count, as: Float.self))
        case .float64: return .float64(copyPayload(bytes, offset: offset, count: count, as: Double.self))
        case .int32: return .int32(copyPayload(bytes, offset: offset, count: count, as: Int32.self))
        case .int64: return .int64(copyPayload(bytes, offset: offset, count: count, as: Int64.self))
        case .uint8: return .uint8(Array(bytes[offset..<(offset + count)]))
        case .bool:
            var values = [Bool](repeating: false, count: count)
            for index in 0..<count {
                let byte = bytes[offset + index]
                guard byte <= 1 else {
                    throw DataError.malformedNPY(
                        source: source, reason: "bool element \(index) holds byte \(byte), not 0 or 1")
                }
                values[index] = byte == 1
            }
            return .bool(values)
        case .unicode(let characters):
            return .strings(try decodeUnicode(bytes, offset: offset, count: count,
                                              characters: characters, source: source))
        case .byteString(let length):
            return .strings(decodeByteStrings(bytes, offset: offset, count: count, length: length))
        }
    }

    /// `count` values of `T` copied from `bytes` at `offset` (little-endian host; alignment-safe).
    private static func copyPayload<T: BitwiseCopyable>(
        _ bytes: [UInt8], offset: Int, count: Int, as type: T.Type
    ) -> [T] {
        let byteCount = count * MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: count) { target, initialized in
            bytes.withUnsafeBytes { source in
                if let from = source.baseAddress, let to = target.baseAddress, byteCount > 0 {
                    UnsafeMutableRawPointer(to).copyMemory(from: from + offset, byteCount: byteCount)
                }
            }
            initialized = count
        }
    }

    /// NumPy `<U n` strings: n UTF-32LE code units each, trailing NULs removed.
    private static func decodeUnicode(
        _ bytes: [UInt8], offset: Int, count: Int, characters: Int, source: String
    ) throws -> [String] {
        var strings: [String] = []
        strings.reserveCapacity(count)
        for element in 0..<count {
            var scalars = String.UnicodeScalarView()
            let start = offset + element * characters * 4
            for position in 0..<characters {
                let base = start + position * 4
                let code = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8
                    | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
                if code == 0 { break }
                guard let scalar = Unicode.Scalar(code) else {
                    throw DataError.malformedNPY(
                        source: source, reason: "string element \(element) holds invalid code point \(code)")
                }
                scalars.append(scalar)
            }
            strings.append(String(scalars))
        }
        return strings
    }

    /// NumPy `|S n` byte strings: n bytes each, trailing NULs removed, decoded as UTF-8 with
    /// replacement characters for invalid bytes.
    private static func decodeByteStrings(_ bytes: [UInt8], offset: Int, count: Int, length: Int) -> [String] {
        (0..<count).map { element in
            let start = offset + element * length
            var end = start + length
            while end > start, bytes[end - 1] == 0 { end -= 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    /// `(3, 4)` style text for a shape, as NumPy prints it.
    static func shapeText(_ shape: [Int]) -> String {
        if shape.count == 1 { return "(\(shape[0]),)" }
        return "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

#if _endian(big)
#error("NPY assumes a little-endian host: the payload is copied without byte swapping")
#endif
