import Foundation
import FileFormats

/// How reports print values: CSV numbers in Swift's shortest round-trip form (they parse back to
/// the same Double), Markdown numbers rounded for reading.
enum ReportFormat {
    /// A CSV number: `CSVTable.number`, the shortest text that parses back to `value`.
    static func csvNumber(_ value: Double?) -> String {
        CSVTable.number(value)
    }

    /// A parameter value as text: strings bare, numbers in canonical (round-trip) form, lists
    /// and objects as compact JSON.
    static func parameter(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.canonicalText
    }

    /// A parameter value for reading: numbers to four significant digits, whole numbers whole.
    static func readableParameter(_ value: JSONValue) -> String {
        guard case .number(let number) = value else { return parameter(value) }
        return readableNumber(number)
    }

    /// `number` to four significant digits (`0.003162`, `0.25`, `128`, `1.5e-05`).
    static func readableNumber(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(format: "%.4g", number)
    }

    /// A metric value in a Markdown table: four decimals.
    static func metric(_ value: Double?) -> String {
        guard let value else { return "—" }
        return value.isFinite ? String(format: "%.4f", value) : String(describing: value)
    }

    /// A wall time: `8.4 s`, `3 min 05 s`, `1 h 02 min`.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "—" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }

    /// `part` of `whole` as a percentage with one decimal.
    static func percent(_ part: Double, of whole: Double) -> String {
        whole > 0 ? String(format: "%.1f%%", 100 * part / whole) : "—"
    }

    /// `name` reduced to letters, digits, `-` and `_`, for file names and SVG ids.
    static func slug(_ name: String) -> String {
        let kept = name.unicodeScalars.map { scalar -> Character in
            let allowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_"
            return allowed ? Character(scalar) : "-"
        }
        return kept.isEmpty ? "unnamed" : String(kept)
    }
}
