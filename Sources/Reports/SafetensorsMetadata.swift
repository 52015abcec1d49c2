import Foundation
import FileFormats

/// The `__metadata__` strings of a safetensors file, read from its header alone (an 8-byte
/// little-endian length, then that many bytes of JSON) without loading the tensors, so Reports
/// need not depend on NN.
public struct SafetensorsMetadata: Sendable, Equatable {
    public var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// The largest header read: real headers are a few kilobytes.
    static let headerLimit: UInt64 = 100_000_000

    /// Reads the metadata of the file at `url`.
    public static func read(_ url: URL) throws(ReportError) -> SafetensorsMetadata {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw ReportError(path: url.path, message: "cannot be opened: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        let lengthBytes: Data
        do {
            lengthBytes = try handle.read(upToCount: 8) ?? Data()
        } catch {
            throw ReportError(path: url.path, message: "cannot be read: \(error.localizedDescription)")
        }
        guard lengthBytes.count == 8 else {
            throw ReportError(path: url.path, message: "is not a safetensors file (shorter than its 8-byte header length)")
        }
        let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= headerLimit else {
            throw ReportError(path: url.path, message: "is not a safetensors file (header length \(length))")
        }
        let header: Data
        do {
            header = try handle.read(upToCount: Int(length)) ?? Data()
        } catch {
            throw ReportError(path: url.path, message: "cannot be read: \(error.localizedDescription)")
        }
        guard header.count == Int(length) else {
            throw ReportError(path: url.path, message: "ends inside its header (\(header.count) of \(length) bytes)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(header, source: url.path)
        } catch {
            throw ReportError(path: url.path, message: "has a header that is not JSON: \(error.message)")
        }
        guard case .object(let members) = document else {
            throw ReportError(path: url.path, message: "has a header that is not a JSON object")
        }
        var values: [String: String] = [:]
        if case .object(let metadata)? = members["__metadata__"] {
            for (key, value) in metadata {
                if case .string(let text) = value { values[key] = text }
            }
        }
        return SafetensorsMetadata(values: values)
    }

    /// The class names the model was trained on (`class_names`, a JSON list of strings), if present.
    public var classNames: [String]? {
        guard let text = values["class_names"],
              case .array(let elements)? = try? JSONValue.parse(Data(text.utf8), source: "class_names") else { return nil }
        var names: [String] = []
        for element in elements {
            guard case .string(let name) = element else { return nil }
            names.append(name)
        }
        return names
    }
}
