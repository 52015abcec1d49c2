import Foundation
import Testing
import TestSupport

/// Compares report output with files committed under `Tests/Fixtures/reports/golden/`.
///
/// After an intended change of the output, rewrite them with
/// `TUNE_UPDATE_GOLDEN=1 swift test --filter ReportsTests` and review the diff before committing.
enum GoldenFile {
    static let directory = TestEnvironment.committedFixtures.appendingPathComponent("reports/golden")

    static var isUpdating: Bool { ProcessInfo.processInfo.environment["TUNE_UPDATE_GOLDEN"] == "1" }

    /// Records an issue unless `text` equals the golden file `name` (which it writes instead
    /// when `TUNE_UPDATE_GOLDEN=1`).
    static func check(_ text: String, name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if isUpdating {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("no golden file \(url.path); create it with TUNE_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if text != golden {
            let expected = golden.components(separatedBy: "\n"), actual = text.components(separatedBy: "\n")
            let line = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(expected.count, actual.count)
            let wanted = line < expected.count ? expected[line] : "<end of file>"
            let got = line < actual.count ? actual[line] : "<end of file>"
            Issue.record("""
                \(name) differs from its golden file at line \(line + 1):
                  golden: \(wanted)
                  actual: \(got)
                (rewrite with TUNE_UPDATE_GOLDEN=1 if the change is intended)
                """, sourceLocation: sourceLocation)
        }
    }
}
