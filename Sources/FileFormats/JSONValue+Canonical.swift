extension JSONValue {
    /// The value as one line of compact JSON with object keys sorted and whole numbers written
    /// without a fraction, so equal documents give equal text (fingerprints, journal entries,
    /// de-duplication, the trial protocol).
    public var canonicalText: String {
        var text = ""
        Self.write(self, into: &text)
        return text
    }

    private static func write(_ value: JSONValue, into text: inout String) {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let number): text += canonicalNumber(number)
        case .string(let string): writeString(string, into: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                write(element, into: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                writeString(key, into: &text)
                text += ":"
                if let member = members[key] { write(member, into: &text) }
            }
            text += "}"
        }
    }

    /// Whole numbers below 2^53 as integers (`64`, not `64.0`); others in Swift's shortest
    /// round-trip form. JSON has no NaN or infinity: those become null.
    static func canonicalNumber(_ number: Double) -> String {
        if !number.isFinite { return "null" }
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
            return String(Int64(number))
        }
        return "\(number)"
    }

    private static func writeString(_ string: String, into text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
