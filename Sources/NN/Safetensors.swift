import FileFormats
import Foundation

/// One tensor of a safetensors file: Float32 or Int64 values with a shape.
public struct SafeTensor: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case float32([Float])
        case int64([Int64])
    }

    public var shape: [Int]
    public var values: Values

    public init(shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }

    public init(shape: [Int], floats: [Float]) {
        self.init(shape: shape, values: .float32(floats))
    }

    var dtype: String {
        switch values {
        case .float32: return "F32"
        case .int64: return "I64"
        }
    }

    var elementCount: Int {
        switch values {
        case .float32(let values): return values.count
        case .int64(let values): return values.count
        }
    }

    /// The values as Float32 (Int64 values converted).
    public var floats: [Float] {
        switch values {
        case .float32(let values): return values
        case .int64(let values): return values.map(Float.init)
        }
    }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
/// String metadata rides in the header's `__metadata__` entry.
public enum Safetensors {
    /// Writes tensors and metadata to `path` atomically (temporary file, then rename).
    public static func write(
        tensors: [String: SafeTensor], metadata: [String: String] = [:], to path: String
    ) throws(SafetensorsError) {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let tensor = tensors[name] else { continue }
            guard tensor.shape.reduce(1, *) == tensor.elementCount else {
                throw .invalid(path: path, message: "tensor '\(name)' has shape \(tensor.shape) but \(tensor.elementCount) values")
            }
            let size = tensor.elementCount * (tensor.dtype == "F32" ? 4 : 8)
            header[name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var headerBytes: [UInt8]
        do {
            headerBytes = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        } catch {
            throw .invalid(path: path, message: "cannot encode the header: \(error)")
        }
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for name in names {
            guard let tensor = tensors[name] else { continue }
            switch tensor.values {
            case .float32(let values):
                values.withUnsafeBytes { bytes.append(contentsOf: $0) }  // little-endian host
            case .int64(let values):
                values.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            throw .io(path: path, message: "cannot write: \(error.localizedDescription)")
        }
        // rename(2) replaces an existing file atomically: readers see the old or the new file.
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .io(path: path, message: "cannot write: \(reason)")
        }
    }

    /// Reads a safetensors file, checking the header against the data before trusting it.
    public static func read(path: String) throws(SafetensorsError) -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(Array(data), path: path)
    }

    /// Decodes the bytes of a safetensors file; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(SafetensorsError) -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader(fileBytes: bytes)
        } catch {
            throw .invalid(path: path, message: error.description)
        }
        let (dataStart, metadata) = (header.dataStart, header.metadata)
        let dataLength = bytes.count - dataStart
        var tensors: [String: SafeTensor] = [:]
        for (name, entry) in header.tensors {
            guard case .object(let fields) = entry, case .string(let dtype)? = fields["dtype"],
                  let shape = wholeNumbers(fields["shape"]),
                  let offsets = wholeNumbers(fields["data_offsets"]), offsets.count == 2 else {
                throw .invalid(path: path, message: "tensor '\(name)' needs dtype, shape and two data_offsets")
            }
            let elementSize: Int
            switch dtype {
            case "F32": elementSize = 4
            case "I64": elementSize = 8
            default: throw .invalid(path: path, message: "tensor '\(name)' has dtype \(dtype); only F32 and I64 are supported")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalid(path: path, message: "tensor '\(name)' has a negative dimension in \(shape)")
            }
            let count = shape.reduce(1, *)
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= dataLength, end - begin == count * elementSize else {
                throw .invalid(path: path, message:
                    "tensor '\(name)' has data_offsets [\(begin), \(end)] that do not hold \(count) \(dtype) values within \(dataLength) data bytes")
            }
            let start = dataStart + begin
            if elementSize == 4 {
                var values = [Float](repeating: 0, count: count)
                values.withUnsafeMutableBytes { target in
                    bytes.withUnsafeBytes { source in
                        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + count * 4)]))
                    }
                }
                tensors[name] = SafeTensor(shape: shape, values: .float32(values))
            } else {
                var values = [Int64](repeating: 0, count: count)
                values.withUnsafeMutableBytes { target in
                    bytes.withUnsafeBytes { source in
                        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + count * 8)]))
                    }
                }
                tensors[name] = SafeTensor(shape: shape, values: .int64(values))
            }
        }
        return (tensors, metadata)
    }

    /// `value` as a list of whole numbers (a shape, data offsets), or nil when it is not one.
    private static func wholeNumbers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let elements)? = value else { return nil }
        var numbers: [Int] = []
        for element in elements {
            guard case .number(let number) = element, number == number.rounded(), abs(number) < 1e15 else { return nil }
            numbers.append(Int(number))
        }
        return numbers
    }
}

/// Problems reading or writing safetensors files and loading them into a model.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case io(path: String, message: String)
    case invalid(path: String, message: String)
    case missingTensor(path: String, name: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    case unexpectedTensors(path: String, names: [String])

    public var description: String {
        switch self {
        case .io(let path, let message): return "\(path): \(message)"
        case .invalid(let path, let message): return "\(path): not a valid safetensors file: \(message)"
        case .missingTensor(let path, let name): return "\(path): tensor '\(name)' is missing"
        case .shapeMismatch(let path, let name, let expected, let found):
            return "\(path): tensor '\(name)' has shape \(found), the model needs \(expected)"
        case .unexpectedTensors(let path, let names):
            return "\(path): tensors the model does not have: \(names.joined(separator: ", "))"
        }
    }
}
