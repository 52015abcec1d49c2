#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal numbers straight from bytes: a fast path for the plain decimals flow records are made
/// of, `strtod` for everything else (over 19 digits, large exponents, `Infinity`, `NaN`).
///
/// The fast path is exact (correctly rounded) when the digits fit in 53 bits, as most do; for
/// longer mantissas (CICFlowMeter writes rates like `1869799.0642906628`) it rounds twice and can
/// be one unit in the last place of a Double off, far below the Float32 the model sees.
enum NumberParser {
    /// Powers of ten exactly representable as Double.
    private static let exactPowers: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of `field`, surrounding spaces ignored: NaN when empty (a missing value),
    /// nil when the text is not a number.
    static func parse(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0
        var end = field.count
        while start < end, field[start] == 0x20 || field[start] == 0x09 { start += 1 }
        while end > start, field[end - 1] == 0x20 || field[end - 1] == 0x09 { end -= 1 }
        if start == end { return .nan }
        if let value = parseSimple(field, start: start, end: end) { return value }
        return parseWithStrtod(field, start: start, end: end)
    }

    /// `[+-]digits[.digits][(e|E)[+-]digits]` with at most 19 significant digits and a power of
    /// ten exact in Double (Clinger's fast path); nil otherwise.
    private static func parseSimple(_ field: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Double? {
        var position = start
        var negative = false
        if field[position] == UInt8(ascii: "-") || field[position] == UInt8(ascii: "+") {
            negative = field[position] == UInt8(ascii: "-")
            position += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDigit = false
        while position < end, field[position] &- 48 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(field[position] &- 48) } else { return nil }
            if mantissa != 0 { digits &+= 1 }
            sawDigit = true
            position += 1
        }
        if position < end, field[position] == UInt8(ascii: ".") {
            position += 1
            while position < end, field[position] &- 48 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(field[position] &- 48) } else { return nil }
                if mantissa != 0 { digits &+= 1 }
                fractionDigits &+= 1
                sawDigit = true
                position += 1
            }
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if position < end, field[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            var exponentNegative = false
            if position < end, field[position] == UInt8(ascii: "-") || field[position] == UInt8(ascii: "+") {
                exponentNegative = field[position] == UInt8(ascii: "-")
                position += 1
            }
            var exponentDigits = 0
            while position < end, field[position] &- 48 < 10 {
                exponent = exponent &* 10 &+ Int(field[position] &- 48)
                exponentDigits += 1
                if exponentDigits > 4 { return nil }
                position += 1
            }
            guard exponentDigits > 0 else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard position == end else { return nil }
        exponent -= fractionDigits
        guard exponent >= -22, exponent <= 22 else { return nil }
        var value = Double(mantissa)
        if exponent < 0 { value /= exactPowers[-exponent] } else { value *= exactPowers[exponent] }
        return negative ? -value : value
    }

    /// Anything `strtod` reads in full (`Infinity`, `nan`, `1e-300`, long mantissas); nil otherwise.
    private static func parseWithStrtod(_ field: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Double? {
        let length = end - start
        guard length < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text -> Double? in
            for index in 0..<length { text[index] = CChar(bitPattern: field[start + index]) }
            text[length] = 0
            guard let base = text.baseAddress else { return nil }
            // strtod also reads hexadecimal; flow records never hold it, so refuse it as text.
            if text.contains(where: { $0 == CChar(UInt8(ascii: "x")) || $0 == CChar(UInt8(ascii: "X")) }) { return nil }
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &stop)
            guard let stop, stop == base + length else { return nil }
            return value
        }
    }
}
