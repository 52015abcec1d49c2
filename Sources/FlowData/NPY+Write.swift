extension NPY {
    /// Writes `array` as a .npy file: format 1.0 (2.0 when the header needs more than 64 KiB),
    /// little-endian, C order. Strings are written as `<U n` with n the longest string's length.
    public static func write(_ array: NPYArray, to path: String) throws {
        try FileIO.writeBytes(try encode(array, source: path), path: path)
    }

    /// The bytes of a .npy file holding `array`; `source` names it in errors.
    public static func encode(_ array: NPYArray, source: String) throws -> [UInt8] {
        guard array.shape.allSatisfy({ $0 >= 0 }) else {
            throw DataError.inconsistent(source: source, reason: "shape \(array.shape) has a negative dimension")
        }
        let expected = array.shape.reduce(1, *)
        guard expected == array.values.count else {
            throw DataError.inconsistent(
                source: source,
                reason: "shape \(shapeText(array.shape)) needs \(expected) values but the array has \(array.values.count)")
        }
        let descr: String
        var payload: [UInt8]
        switch array.values {
        case .float32(let values): descr = "<f4"; payload = rawBytes(values)
        case .float64(let values): descr = "<f8"; payload = rawBytes(values)
        case .int32(let values): descr = "<i4"; payload = rawBytes(values)
        case .int64(let values): descr = "<i8"; payload = rawBytes(values)
        case .uint8(let values): descr = "|u1"; payload = values
        case .bool(let values): descr = "|b1"; payload = values.map { $0 ? 1 : 0 }
        case .strings(let values):
            let width = max(1, values.map { $0.unicodeScalars.count }.max() ?? 1)
            descr = "<U\(width)"
            payload = unicodeBytes(values, width: width)
        }
        var bytes = preamble(descr: descr, shape: array.shape)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Magic, version, header length and the space-padded header dict, a multiple of 64 bytes.
    private static func preamble(descr: String, shape: [Int]) -> [UInt8] {
        let dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText(shape)), }"
        var header = Array(dictionary.utf8)
        let useVersion2 = header.count + 1 + 10 > Int(UInt16.max)
        let prefixLength = useVersion2 ? 12 : 10
        let unpadded = prefixLength + header.count + 1
        let padding = (64 - unpadded % 64) % 64
        header.append(contentsOf: [UInt8](repeating: 0x20, count: padding))
        header.append(0x0A)
        var bytes = NPYHeader.magic
        bytes.append(useVersion2 ? 2 : 1)
        bytes.append(0)
        let length = header.count
        let lengthBytes = useVersion2 ? 4 : 2
        for index in 0..<lengthBytes { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * index))) }
        bytes.append(contentsOf: header)
        return bytes
    }

    /// The little-endian bytes of fixed-width numbers (one memcpy on a little-endian host).
    private static func rawBytes<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    /// UTF-32LE code units, `width` per string, NUL-padded.
    private static func unicodeBytes(_ values: [String], width: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * width * 4)
        for (element, text) in values.enumerated() {
            var offset = element * width * 4
            for scalar in text.unicodeScalars {
                let code = scalar.value
                for shift in 0..<4 { bytes[offset + shift] = UInt8(truncatingIfNeeded: code >> (8 * shift)) }
                offset += 4
            }
        }
        return bytes
    }
}
