import Foundation

/// A password or other secret that never prints: its description, debug description and mirror
/// are all `***`, so it cannot leak through string interpolation, `dump`, or a test failure.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; read it only where it is handed to the server.
    let revealed: String

    /// Wraps `value`.
    public init(_ value: String) {
        revealed = value
    }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// `text` with every occurrence of the secret replaced by `***` (for server messages that
    /// might echo it back).
    func scrub(_ text: String) -> String {
        revealed.isEmpty ? text : text.replacingOccurrences(of: revealed, with: "***")
    }
}
