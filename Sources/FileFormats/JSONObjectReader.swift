/// Reads typed fields out of a JSON object one key at a time, so every error names the file and
/// the field, and keys nobody asked for are reported instead of silently ignored.
public struct JSONObjectReader {
    public let source: String
    public let path: String
    private let members: [String: JSONValue]
    private var used: Set<String> = []

    /// A reader of `value`, which must be an object; `path` prefixes field names (`plateau.`).
    public init(_ value: JSONValue, source: String, path: String = "") throws(JSONFileError) {
        guard case .object(let members) = value else {
            throw JSONFileError(source: source, field: path.isEmpty ? nil : path,
                                message: "must be a JSON object, not \(value.typeName)")
        }
        self.source = source
        self.path = path
        self.members = members
    }

    public func fieldName(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func error(_ key: String, _ message: String) -> JSONFileError {
        JSONFileError(source: source, field: fieldName(key), message: message)
    }

    /// The raw value of `key`, marking it as known.
    public mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// True when `key` is present with the value null (as opposed to absent).
    public mutating func isNull(_ key: String) -> Bool {
        used.insert(key)
        return members[key] == .null
    }

    public mutating func string(_ key: String) throws(JSONFileError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw error(key, "must be a string, not \(value.typeName)") }
        return text
    }

    public mutating func number(_ key: String) throws(JSONFileError) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value else { throw error(key, "must be a number, not \(value.typeName)") }
        return number
    }

    public mutating func integer(_ key: String) throws(JSONFileError) -> Int? {
        guard let number = try number(key) else { return nil }
        guard number == number.rounded(), abs(number) < 1e15 else { throw error(key, "must be a whole number, not \(number)") }
        return Int(number)
    }

    public mutating func bool(_ key: String) throws(JSONFileError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw error(key, "must be true or false, not \(value.typeName)") }
        return flag
    }

    public mutating func integers(_ key: String) throws(JSONFileError) -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw error(key, "must be a list of whole numbers, not \(value.typeName)") }
        var result: [Int] = []
        for element in elements {
            guard case .number(let number) = element, number == number.rounded(), abs(number) < 1e15 else {
                throw error(key, "must be a list of whole numbers")
            }
            result.append(Int(number))
        }
        return result
    }

    public mutating func strings(_ key: String) throws(JSONFileError) -> [String]? {
        guard let value = value(key) else { return nil }
        if case .string(let single) = value { return [single] }
        guard case .array(let elements) = value else { throw error(key, "must be a string or a list of strings, not \(value.typeName)") }
        var result: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw error(key, "must be a list of strings") }
            result.append(text)
        }
        return result
    }

    /// A nested object's reader.
    public mutating func object(_ key: String) throws(JSONFileError) -> JSONObjectReader? {
        guard let value = value(key) else { return nil }
        return try JSONObjectReader(value, source: source, path: fieldName(key))
    }

    /// Throws for the first key (alphabetically) that no accessor asked for.
    public func rejectUnknownKeys(known: [String] = []) throws(JSONFileError) {
        let allowed = used.union(known)
        if let unknown = members.keys.filter({ !allowed.contains($0) }).sorted().first {
            let choices = allowed.sorted().joined(separator: ", ")
            throw error(unknown, "is not a known setting (known: \(choices))")
        }
    }
}
