import Foundation

/// A parsed JSON document, so run and search files can be checked key by key with errors that
/// name the file, the line and the field (Codable's messages name none of these).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `data`; a syntax error names `source` and the line and column.
    public static func parse(_ data: Data, source: String) throws(JSONFileError) -> JSONValue {
        var parser = JSONParser(bytes: Array(data), source: source)
        return try parser.parseDocument()
    }

    /// Reads and parses a file.
    public static func read(path: String) throws(JSONFileError) -> JSONValue {
        let data: Data
        guard FileManager.default.fileExists(atPath: path) else {
            throw JSONFileError(source: path, field: nil, message: "does not exist")
        }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw JSONFileError(source: path, field: nil, message: "cannot be read: \(error.localizedDescription)")
        }
        return try parse(data, source: path)
    }

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// A problem in a JSON input file, worded for the person who wrote it.
public struct JSONFileError: Error, Equatable, CustomStringConvertible {
    public var source: String
    /// The dotted path of the field at fault (`plateau.patience`), if any.
    public var field: String?
    public var message: String

    public init(source: String, field: String?, message: String) {
        self.source = source
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "\(source): '\(field)' \(message)" }
        return "\(source) \(message)"
    }
}
