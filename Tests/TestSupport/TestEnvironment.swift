import Foundation
import Testing

/// Where tests find the shared real data and PyTorch fixtures, and how they skip without them.
///
/// Data comes from `TUNE_DATA_DIR` (default `../shared/data` beside the package), fixtures from
/// `TUNE_FIXTURES_DIR` (default `../shared/fixtures/torch-parity`). When either is missing a test
/// is skipped with a message, except under `CI=true`, where the absence is a failure.
public enum TestEnvironment {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// True when running under CI (`CI=true`), where missing inputs fail instead of skipping.
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// The real data folder, or nil (after recording why) when it is absent.
    public static func dataDirectory(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        locate(variable: "TUNE_DATA_DIR", fallback: "../shared/data", what: "real data",
               sourceLocation: sourceLocation)
    }

    /// The PyTorch parity fixtures folder, or nil (after recording why) when it is absent.
    public static func fixturesDirectory(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        locate(variable: "TUNE_FIXTURES_DIR", fallback: "../shared/fixtures/torch-parity",
               what: "PyTorch parity fixtures", sourceLocation: sourceLocation)
    }

    /// The folder of small fixtures committed with the tests (`Tests/Fixtures`).
    public static var committedFixtures: URL {
        packageRoot.appendingPathComponent("Tests/Fixtures")
    }

    private static func locate(
        variable: String, fallback: String, what: String, sourceLocation: SourceLocation
    ) -> URL? {
        let path = ProcessInfo.processInfo.environment[variable]
            ?? packageRoot.appendingPathComponent(fallback).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: path)
        }
        let message = "\(what) not found at \(path) (set \(variable))"
        if isCI {
            Issue.record(Comment(rawValue: message + "; CI=true requires it"), sourceLocation: sourceLocation)
        } else {
            print("skipped: \(message)")
        }
        return nil
    }
}
