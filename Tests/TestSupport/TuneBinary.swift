import Foundation
import Testing

/// The release `tune` binary that end-to-end tests execute: `TUNE_BIN`, or `.build/release/tune`
/// (scripts/test builds it first). Training-heavy tests need the release build: debug numeric
/// Swift is 10-50x slower.
public enum TuneBinary {
    /// What one invocation did.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// stdout's lines parsed as JSON objects (the trial protocol); other lines are skipped.
        public var jsonLines: [[String: Any]] {
            stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
        }
    }

    /// The binary, or nil (after recording why: skipped, or a failure under CI) when it is missing.
    public static func locate(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        let path = ProcessInfo.processInfo.environment["TUNE_BIN"]
            ?? TestEnvironment.packageRoot.appendingPathComponent(".build/release/tune").path
        if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        let message = "release binary not found at \(path) (run scripts/test, or set TUNE_BIN)"
        if TestEnvironment.isCI {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        } else {
            print("skipped: \(message)")
        }
        return nil
    }

    /// Runs `tune` with `arguments` in `directory` (stdin read from `input` when given, `environment`
    /// added to this process's) and waits for it.
    public static func run(_ binary: URL, _ arguments: [String], in directory: URL? = nil, input: URL? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        if let input { process.standardInput = try FileHandle(forReadingFrom: input) }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes before waiting so a full pipe cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var stdoutData = Data()
        nonisolated(unsafe) var stderrData = Data()
        DispatchQueue.global().async(group: group) { stdoutData = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { stderrData = errors.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// A new empty folder for one test's files.
    public static func temporaryFolder(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tune-\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
