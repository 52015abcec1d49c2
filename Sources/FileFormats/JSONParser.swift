/// A strict RFC 8259 parser over UTF-8 bytes that reports the line and column of a syntax error
/// and rejects duplicate keys (which Foundation silently resolves).
struct JSONParser {
    private let bytes: [UInt8]
    private let source: String
    private var position = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    mutating func parseDocument() throws(JSONFileError) -> JSONValue {
        skipWhitespace()
        if position == bytes.count { throw failure("is empty: expected a JSON document") }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < bytes.count { throw failure("has unexpected text after the JSON document") }
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONFileError) -> JSONValue {
        guard depth < 200 else { throw failure("nests too deeply") }
        guard position < bytes.count else { throw failure("ends early: expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("has an unexpected character '\(Character(Unicode.Scalar(bytes[position])))': expected a value")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONFileError) -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek(UInt8(ascii: "}")) { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else { throw failure("expects a quoted key") }
            let keyPosition = position
            let key = try parseString()
            if members[key] != nil {
                position = keyPosition
                throw failure("repeats the key \"\(key)\"")
            }
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw failure("expects ':' after the key \"\(key)\"") }
            position += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { position += 1; continue }
            if peek(UInt8(ascii: "}")) { position += 1; return .object(members) }
            throw failure("expects ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONFileError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { position += 1; continue }
            if peek(UInt8(ascii: "]")) { position += 1; return .array(elements) }
            throw failure("expects ',' or ']' in a list")
        }
    }

    private mutating func parseString() throws(JSONFileError) -> String {
        position += 1  // opening quote
        var scalars: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scalars, as: UTF8.self) else { throw failure("has a string that is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(8)
                case UInt8(ascii: "f"): scalars.append(12)
                case UInt8(ascii: "n"): scalars.append(10)
                case UInt8(ascii: "r"): scalars.append(13)
                case UInt8(ascii: "t"): scalars.append(9)
                case UInt8(ascii: "u"):
                    var code = try parseHexQuad()
                    if (0xD800..<0xDC00).contains(code), peek(UInt8(ascii: "\\")) {
                        position += 2
                        let low = try parseHexQuad()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("has an invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw failure("has an invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            case 0..<0x20:
                position -= 1
                throw failure("has a control character inside a string")
            default:
                scalars.append(byte)
            }
        }
        throw failure("ends inside a string")
    }

    private mutating func parseHexQuad() throws(JSONFileError) -> UInt32 {
        guard position + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16) else {
            throw failure("has an invalid \\u escape")
        }
        position += 4
        return value
    }

    private mutating func parseNumber() throws(JSONFileError) -> Double {
        let start = position
        if peek(UInt8(ascii: "-")) { position += 1 }
        while position < bytes.count, "0123456789.eE+-".utf8.contains(bytes[position]) { position += 1 }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            position = start
            throw failure("has an invalid number '\(text)'")
        }
        return value
    }

    private mutating func expectWord(_ word: String) throws(JSONFileError) {
        let utf8 = Array(word.utf8)
        guard position + utf8.count <= bytes.count, Array(bytes[position..<(position + utf8.count)]) == utf8 else {
            throw failure("has an unexpected word: expected a value")
        }
        position += utf8.count
    }

    private func peek(_ byte: UInt8) -> Bool {
        position < bytes.count && bytes[position] == byte
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    /// An error at the current position, as "FILE line L, column C: ...".
    private func failure(_ message: String) -> JSONFileError {
        var line = 1, column = 1
        for byte in bytes.prefix(position) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return JSONFileError(source: "\(source) line \(line), column \(column):", field: nil, message: message)
    }
}
