import Foundation

/// Writes an SVG document element by element: every attribute and text is XML-escaped and every
/// coordinate printed with at most two decimals, so the same chart always gives the same bytes.
public struct SVGBuilder: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []
    private var depth = 1

    /// An empty canvas of `width` x `height` pixels.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The whole document: XML declaration, `<svg>` root with `title` as its accessible name, body.
    public func document(title: String) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
                     + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\">")
        lines.append("  <title>\(Self.escaped(title))</title>")
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Opens a `<g>` group; close it with `endGroup`.
    public mutating func beginGroup(_ attributes: [(String, String)] = []) {
        append("<g\(Self.attributes(attributes))>")
        depth += 1
    }

    /// Closes the innermost group.
    public mutating func endGroup() {
        depth = max(1, depth - 1)
        append("</g>")
    }

    /// A rectangle with its top-left corner at (`x`, `y`).
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, _ attributes: [(String, String)] = []) {
        append("<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\" "
               + "height=\"\(Self.number(max(0, height)))\"\(Self.attributes(attributes))/>")
    }

    /// A straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, _ attributes: [(String, String)] = []) {
        append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" "
               + "y2=\"\(Self.number(y2))\"\(Self.attributes(attributes))/>")
    }

    /// An open line through `points`, in order.
    public mutating func polyline(_ points: [(x: Double, y: Double)], _ attributes: [(String, String)] = []) {
        let coordinates = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        append("<polyline points=\"\(coordinates)\" fill=\"none\"\(Self.attributes(attributes))/>")
    }

    /// A circle centred at (`x`, `y`), with an optional tooltip.
    public mutating func circle(x: Double, y: Double, radius: Double, tooltip: String? = nil, _ attributes: [(String, String)] = []) {
        let head = "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\"\(Self.attributes(attributes))"
        if let tooltip {
            append(head + "><title>\(Self.escaped(tooltip))</title></circle>")
        } else {
            append(head + "/>")
        }
    }

    /// Text anchored at (`x`, `y`) (`anchor`: start, middle or end), optionally rotated about that point.
    public mutating func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
                              rotation: Double? = nil, _ attributes: [(String, String)] = []) {
        var all: [(String, String)] = [("x", Self.number(x)), ("y", Self.number(y)), ("font-size", Self.number(size))]
        if anchor != "start" { all.append(("text-anchor", anchor)) }
        if let rotation { all.append(("transform", "rotate(\(Self.number(rotation)) \(Self.number(x)) \(Self.number(y)))")) }
        append("<text\(Self.attributes(all + attributes))>\(Self.escaped(content))</text>")
    }

    private mutating func append(_ element: String) {
        body.append(String(repeating: "  ", count: depth) + element)
    }

    // MARK: - Text

    /// `value` with at most two decimals and no trailing zeros (`12`, `12.5`, `12.25`).
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        // "%.2f" with trailing zeros cut, without String(format:), which dominated the time of a
        // 10,000-trial report. Near a tie of two hundredths the scaled value may be off by a
        // rounding error, so there String(format:) decides (it rounds the exact binary value).
        let scaled = abs(value) * 100
        let hundredths = scaled.rounded(.toNearestOrEven)
        guard hundredths < 1e15, abs(abs(scaled - hundredths) - 0.5) > 1e-6 else { return formatted(value) }
        let whole = Int(hundredths) / 100, fraction = Int(hundredths) % 100
        var text = (value < 0 && hundredths > 0 ? "-" : "") + String(whole)
        if fraction != 0 {
            text += fraction % 10 == 0 ? "." + String(fraction / 10) : (fraction < 10 ? ".0" : ".") + String(fraction)
        }
        return text
    }

    private static func formatted(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// `text` safe inside an XML element or a double-quoted attribute; characters XML 1.0 cannot
    /// hold (control characters other than tab and line breaks) are dropped.
    public static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escaped($0.1))\"" }.joined()
    }
}
