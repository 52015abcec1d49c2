/// The parsed header of a .npy file: what the payload holds and how it is laid out.
struct NPYHeader: Equatable {
    /// The element types this reader takes.
    enum Kind: Equatable {
        case float32, float64, int32, int64, uint8, bool
        /// `<U n`: n UTF-32 code units per element.
        case unicode(characters: Int)
        /// `|S n`: n bytes per element.
        case byteString(length: Int)
    }

    var kind: Kind
    var shape: [Int]

    /// Bytes per element.
    var itemSize: Int {
        switch kind {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8, .bool: return 1
        case .unicode(let characters): return characters * 4
        case .byteString(let length): return length
        }
    }

    /// The product of the shape (1 for a 0-d scalar); validated not to overflow when parsed.
    var elementCount: Int { shape.reduce(1, *) }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses the preamble and header dict; returns the header and the payload's byte offset.
    static func parse(bytes: [UInt8], source: String) throws(DataError) -> (NPYHeader, Int) {
        guard bytes.count >= 10 else {
            if bytes.isEmpty { throw .malformedNPY(source: source, reason: "the file is empty") }
            throw .malformedNPY(source: source, reason: "truncated: \(bytes.count) bytes, too short for a header")
        }
        guard Array(bytes[0..<6]) == magic else {
            throw .malformedNPY(source: source, reason: "bad magic bytes (a .npy file starts with \\x93NUMPY)")
        }
        let major = bytes[6]
        let minor = bytes[7]
        let lengthStart = 8
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw .malformedNPY(source: source, reason: "truncated: \(bytes.count) bytes, too short for a header")
            }
            headerLength = (lengthStart..<(lengthStart + 4)).reduce(0) { sum, index in
                sum | Int(bytes[index]) << (8 * (index - lengthStart))
            }
            headerStart = 12
        default:
            throw .unsupportedNPY(source: source, reason: "format version \(major).\(minor) (this reader takes 1.0, 2.0 and 3.0)")
        }
        guard minor == 0 else {
            throw .unsupportedNPY(source: source, reason: "format version \(major).\(minor) (this reader takes 1.0, 2.0 and 3.0)")
        }
        let headerEnd = headerStart + headerLength
        guard headerEnd <= bytes.count else {
            throw .malformedNPY(
                source: source,
                reason: "truncated: the header claims \(headerLength) bytes but only \(bytes.count - headerStart) follow")
        }
        var parser = HeaderDictParser(bytes: bytes, position: headerStart, end: headerEnd, source: source)
        let dictionary = try parser.parseDictionary()
        let header = try interpret(dictionary, source: source)
        return (header, headerEnd)
    }

    /// Checks the three keys NumPy writes and turns them into a header.
    private static func interpret(_ dictionary: [String: HeaderValue], source: String) throws(DataError) -> NPYHeader {
        for key in dictionary.keys where !["descr", "fortran_order", "shape"].contains(key) {
            throw .malformedNPY(source: source, reason: "bad header: unexpected key '\(key)'")
        }
        guard case .text(let descr)? = dictionary["descr"] else {
            if case .list? = dictionary["descr"] {
                throw .unsupportedNPY(source: source, reason: "structured dtypes (record arrays) are not supported; save a plain numeric array")
            }
            throw .malformedNPY(source: source, reason: "bad header: 'descr' is missing or not a string")
        }
        guard case .boolean(let fortranOrder)? = dictionary["fortran_order"] else {
            throw .malformedNPY(source: source, reason: "bad header: 'fortran_order' is missing or not True/False")
        }
        guard case .tuple(let shape)? = dictionary["shape"] else {
            throw .malformedNPY(source: source, reason: "bad header: 'shape' is missing or not a tuple of integers")
        }
        var product = 1
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .malformedNPY(source: source, reason: "bad header: shape \(NPY.shapeText(shape)) is too large")
            }
            product = next
        }
        let kind = try parseDescr(descr, source: source)
        if fortranOrder, shape.count > 1 {
            throw .unsupportedNPY(
                source: source,
                reason: "Fortran-ordered arrays are not supported; save np.ascontiguousarray(x) instead")
        }
        return NPYHeader(kind: kind, shape: shape)
    }

    /// Maps a NumPy type string (`<f4`, `|u1`, `<U12`...) to a kind, refusing what we do not read.
    static func parseDescr(_ descr: String, source: String) throws(DataError) -> Kind {
        let characters = Array(descr)
        guard characters.count >= 2 else {
            throw .malformedNPY(source: source, reason: "bad header: dtype '\(descr)' is not a NumPy type string")
        }
        let order = characters[0]
        let code = characters[1]
        let sizeText = String(characters.dropFirst(2))
        guard "<>|=".contains(order) else {
            throw .malformedNPY(source: source, reason: "bad header: dtype '\(descr)' is not a NumPy type string")
        }
        if code == "O" {
            throw .unsupportedNPY(
                source: source,
                reason: "object arrays (dtype '\(descr)') hold pickled Python objects; save numbers or fixed-width strings (astype(str))")
        }
        guard let size = Int(sizeText), size >= 0 else {
            throw .unsupportedNPY(source: source, reason: "dtype '\(descr)' is not supported (\(supported))")
        }
        let byteOrderMatters = code == "U" || (code != "S" && size > 1)
        if order == ">" && byteOrderMatters {
            throw .unsupportedNPY(
                source: source,
                reason: "big-endian data (dtype '\(descr)') is not supported; save with x.astype(x.dtype.newbyteorder('<'))")
        }
        switch (code, size) {
        case ("f", 4): return .float32
        case ("f", 8): return .float64
        case ("i", 4): return .int32
        case ("i", 8): return .int64
        case ("u", 1): return .uint8
        case ("b", 1): return .bool
        case ("U", let length) where length > 0: return .unicode(characters: length)
        case ("S", let length) where length > 0: return .byteString(length: length)
        default:
            throw .unsupportedNPY(source: source, reason: "dtype '\(descr)' is not supported (\(supported))")
        }
    }

    private static let supported = "use float32, float64, int32, int64, uint8, bool or <U strings"
}

/// A value in the header dict: the subset of Python literals NumPy writes.
enum HeaderValue: Equatable {
    case text(String)
    case boolean(Bool)
    case tuple([Int])
    /// A list (structured dtype descriptions); only recognised to be refused clearly.
    case list
}

/// A small parser for the header's Python dict literal, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct HeaderDictParser {
    let bytes: [UInt8]
    var position: Int
    let end: Int
    let source: String

    mutating func parseDictionary() throws(DataError) -> [String: HeaderValue] {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        var dictionary: [String: HeaderValue] = [:]
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") { position += 1; break }
            let key = try parseString()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            dictionary[key] = try parseValue()
            skipSpace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            skipSpace()
            try expect(UInt8(ascii: "}"))
            break
        }
        skipSpace()
        guard position == end else { throw failure("text after the closing brace") }
        return dictionary
    }

    private mutating func parseValue() throws(DataError) -> HeaderValue {
        guard let byte = peek() else { throw failure("the header ends inside a value") }
        switch byte {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .text(try parseString())
        case UInt8(ascii: "("):
            return .tuple(try parseTuple())
        case UInt8(ascii: "["):
            skipBalanced(open: UInt8(ascii: "["), close: UInt8(ascii: "]"))
            return .list
        default:
            if consume("True") { return .boolean(true) }
            if consume("False") { return .boolean(false) }
            throw failure("unexpected value at byte \(position)")
        }
    }

    private mutating func parseString() throws(DataError) -> String {
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw failure("expected a quoted key or value at byte \(position)")
        }
        position += 1
        let start = position
        while position < end, bytes[position] != quote { position += 1 }
        guard position < end else { throw failure("unterminated string") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
    }

    /// `()`, `(5,)`, `(3, 4)`; Python 2 long suffixes (`3L`) are accepted.
    private mutating func parseTuple() throws(DataError) -> [Int] {
        try expect(UInt8(ascii: "("))
        var items: [Int] = []
        while true {
            skipSpace()
            if peek() == UInt8(ascii: ")") { position += 1; return items }
            let start = position
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            guard position > start, let value = Int(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                throw failure("the shape holds something other than non-negative integers")
            }
            items.append(value)
            if peek() == UInt8(ascii: "L") { position += 1 }
            skipSpace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            skipSpace()
            try expect(UInt8(ascii: ")"))
            return items
        }
    }

    private mutating func skipBalanced(open: UInt8, close: UInt8) {
        var depth = 0
        while position < end {
            let byte = bytes[position]
            position += 1
            if byte == open { depth += 1 }
            if byte == close { depth -= 1; if depth == 0 { return } }
        }
    }

    private func peek() -> UInt8? { position < end ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(DataError) {
        guard peek() == byte else {
            throw failure("expected '\(Character(Unicode.Scalar(byte)))' at byte \(position)")
        }
        position += 1
    }

    private mutating func consume(_ word: String) -> Bool {
        let wordBytes = Array(word.utf8)
        guard position + wordBytes.count <= end, Array(bytes[position..<(position + wordBytes.count)]) == wordBytes else {
            return false
        }
        position += wordBytes.count
        return true
    }

    private func failure(_ reason: String) -> DataError {
        .malformedNPY(source: source, reason: "bad header: \(reason)")
    }
}
