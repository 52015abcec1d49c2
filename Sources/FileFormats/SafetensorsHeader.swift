import Foundation

/// The header of a safetensors file (Hugging Face): an 8-byte little-endian length, then that
/// many bytes of JSON, an object naming each tensor's entry, with string metadata in its optional
/// `__metadata__` entry. Read here once for the model (NN) and the reports (which load no tensors).
public struct SafetensorsHeader: Sendable, Equatable {
    /// Each tensor's entry (`dtype`, `shape`, `data_offsets`) by name, not yet checked.
    public var tensors: [String: JSONValue]
    /// The `__metadata__` strings; empty when the header has none.
    public var metadata: [String: String]
    /// Where the tensor data begins: 8 + the header length.
    public var dataStart: Int

    /// The bytes holding the header length.
    public static let lengthSize = 8
    /// The largest header accepted: real headers are a few kilobytes.
    public static let lengthLimit: UInt64 = 100_000_000

    /// The header of a whole safetensors file.
    public init(fileBytes bytes: [UInt8]) throws(SafetensorsHeaderError) {
        let length = try Self.length(prefix: bytes.prefix(Self.lengthSize), fileSize: bytes.count)
        try self.init(json: bytes[Self.lengthSize..<(Self.lengthSize + length)])
    }

    /// The header of the file at `url`, reading the header alone, not the tensor data.
    public static func read(_ url: URL) throws(SafetensorsHeaderError) -> SafetensorsHeader {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw .io("cannot be opened: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        do {
            let fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefix = try handle.read(upToCount: lengthSize) ?? Data()
            let length = try Self.length(prefix: Array(prefix), fileSize: fileSize)
            let json = try handle.read(upToCount: length) ?? Data()
            guard json.count == length else { throw SafetensorsHeaderError.lengthDoesNotFit(length: UInt64(length), fileSize: lengthSize + json.count) }
            return try SafetensorsHeader(json: Array(json))
        } catch let error as SafetensorsHeaderError {
            throw error
        } catch {
            throw .io("cannot be read: \(error.localizedDescription)")
        }
    }

    /// The header length in the first 8 bytes of a file of `fileSize` bytes, checked to fit in it.
    static func length(prefix: some Collection<UInt8>, fileSize: Int) throws(SafetensorsHeaderError) -> Int {
        guard prefix.count == lengthSize else { throw .tooShort(fileSize: fileSize) }
        let length = prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length > 0, length <= UInt64(fileSize - lengthSize) else {
            throw .lengthDoesNotFit(length: length, fileSize: fileSize)
        }
        guard length <= lengthLimit else { throw .lengthTooLarge(length: length) }
        return Int(length)
    }

    /// Parses the JSON of a header (the bytes after the length).
    init(json bytes: some Collection<UInt8>) throws(SafetensorsHeaderError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Data(bytes), source: "safetensors header")
        } catch {
            throw .notJSON(error.message)
        }
        guard case .object(var members) = document else { throw .notAnObject }
        var metadata: [String: String] = [:]
        if let rawMetadata = members.removeValue(forKey: "__metadata__") {
            guard case .object(let entries) = rawMetadata else { throw .metadataNotStrings }
            for (key, value) in entries {
                guard case .string(let text) = value else { throw .metadataNotStrings }
                metadata[key] = text
            }
        }
        tensors = members
        self.metadata = metadata
        dataStart = Self.lengthSize + bytes.count
    }
}

/// Why a safetensors header cannot be read; the caller adds the path.
public enum SafetensorsHeaderError: Error, Equatable, CustomStringConvertible {
    case io(String)
    case tooShort(fileSize: Int)
    case lengthDoesNotFit(length: UInt64, fileSize: Int)
    case lengthTooLarge(length: UInt64)
    case notJSON(String)
    case notAnObject
    case metadataNotStrings

    public var description: String {
        switch self {
        case .io(let message): return message
        case .tooShort(let fileSize): return "file is \(fileSize) bytes, too short for the 8-byte header length"
        case .lengthDoesNotFit(let length, let fileSize): return "header length \(length) does not fit in a \(fileSize)-byte file"
        case .lengthTooLarge(let length):
            return "header length \(length) is more than the \(SafetensorsHeader.lengthLimit) bytes a header may have"
        case .notJSON(let message): return "header is not valid JSON: \(message)"
        case .notAnObject: return "header is not a JSON object"
        case .metadataNotStrings: return "__metadata__ must map strings to strings"
        }
    }
}
