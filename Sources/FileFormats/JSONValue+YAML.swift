import Foundation
import Yams

extension JSONValue {
    /// Parses a YAML document into the same values a JSON file gives (mappings with string keys,
    /// sequences, and scalars resolved by YAML 1.1's core rules: null, booleans, integers,
    /// floats, otherwise strings). A syntax error names `source` and YAML's line and column.
    public static func parseYAML(_ text: String, source: String) throws(JSONFileError) -> JSONValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw JSONFileError(source: source, field: nil, message: "is not valid YAML: \(error)")
        }
        guard let node else { throw JSONFileError(source: source, field: nil, message: "is empty: expected a YAML document") }
        return try convert(node, source: source, path: "")
    }

    /// Reads a JSON file, or a YAML file when the name ends in .yaml or .yml.
    public static func readDocument(path: String) throws(JSONFileError) -> JSONValue {
        let lowered = path.lowercased()
        guard lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") else { return try read(path: path) }
        guard FileManager.default.fileExists(atPath: path) else {
            throw JSONFileError(source: path, field: nil, message: "does not exist")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw JSONFileError(source: path, field: nil, message: "cannot be read as UTF-8 text: \(error.localizedDescription)")
        }
        return try parseYAML(text, source: path)
    }

    private static func convert(_ node: Node, source: String, path: String) throws(JSONFileError) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw JSONFileError(source: source, field: path.isEmpty ? nil : path, message: "has a key that is not a string")
                }
                let field = path.isEmpty ? name : "\(path).\(name)"
                guard members[name] == nil else {
                    throw JSONFileError(source: source, field: field, message: "is given twice")
                }
                members[name] = try convert(value, source: source, path: field)
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try convert(element, source: source, path: path)) }
            return .array(elements)
        case .scalar:
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let integer = node.int { return .number(Double(integer)) }
            if let number = node.float { return .number(number) }
            // YAML 1.1 reads `1e-4` (no dot) as a string; an unquoted number is meant as one.
            if case .scalar(let scalar) = node, scalar.style == .plain, let number = Double(scalar.string), number.isFinite {
                return .number(number)
            }
            return .string(node.string ?? "")
        case .alias:
            throw JSONFileError(source: source, field: path.isEmpty ? nil : path, message: "uses a YAML alias, which search files do not support")
        }
    }
}
