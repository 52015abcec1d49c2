import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG document with Foundation's XMLParser (so malformed XML fails the test) and
/// lists its elements with their attributes, text and the id of the series group they are in.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The `id` of the nearest enclosing element that has one.
        var groupID: String?
        var text: String
        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var error: Error?

    /// Parses `svg`; nil with `error` set when it is not well-formed XML.
    static func parse(_ svg: String) -> (inspector: SVGInspector, wellFormed: Bool) {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = inspector
        let ok = parser.parse()
        if !ok { inspector.error = parser.parserError }
        return (inspector, ok)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let groupID = attributes["id"] ?? open.last.flatMap { elements[$0].attributes["id"] ?? elements[$0].groupID }
        elements.append(Element(name: elementName, attributes: attributes, groupID: groupID, text: ""))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = open.last { elements[current].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = open.popLast()
    }

    /// Elements named `name` with class `className` inside the group `id`.
    func count(_ name: String, class className: String, inGroup id: String) -> Int {
        elements.filter { $0.name == name && $0.classes.contains(className) && $0.groupID == id }.count
    }

    /// The ids of the groups with class `series`.
    var seriesIDs: [String] {
        elements.filter { $0.name == "g" && $0.classes.contains("series") }.compactMap { $0.attributes["id"] }
    }

    /// The texts of elements with class `className`.
    func texts(class className: String) -> [String] {
        elements.filter { $0.classes.contains(className) }.map(\.text)
    }
}
