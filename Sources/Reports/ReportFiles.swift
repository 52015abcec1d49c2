import Foundation

/// Writes a report folder so that a crash never leaves half a report: every file is written to a
/// temporary name in the same folder and renamed over the old one (rename(2) is atomic).
public enum ReportFiles {
    /// Writes `text` to `url` atomically, creating the folder when needed.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Writes `data` to `url` atomically, creating the folder when needed.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot write \(url.path): \(reason)"])
        }
    }

    /// Copies `source` to `destination` atomically (e.g. the best model into the report).
    public static func copy(_ source: URL, to destination: URL) throws {
        try write(Data(contentsOf: source), to: destination)
    }
}
