import Foundation
import Testing

/// The PostgreSQL server the tests may use: `TUNE_TEST_POSTGRES_URL`, which `scripts/test` sets
/// after starting a throwaway cluster with `scripts/postgres-test-server`. Without it, PostgreSQL
/// tests are skipped with a message, except under `CI=true`, where its absence is a failure.
/// Tests share the server: each uses its own study name (`uniqueStudy()`).
public enum PostgresServer {
    /// The variable holding the server's URL (password included: a test server's).
    public static let variable = "TUNE_TEST_POSTGRES_URL"

    /// The URL when the variable is set, without recording anything.
    public static var configuredURL: String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when PostgreSQL tests should run: a server is configured, or CI requires one (and
    /// the tests then fail on its absence).
    public static var isRequiredOrAvailable: Bool {
        configuredURL != nil || TestEnvironment.isCI
    }

    /// The server's URL, or nil (after recording why) when none is configured.
    public static func url(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let url = configuredURL { return url }
        let message = "no PostgreSQL test server (set \(variable), or run scripts/test, which starts one)"
        if TestEnvironment.isCI {
            Issue.record(Comment(rawValue: message + "; CI=true requires it"), sourceLocation: sourceLocation)
        } else {
            print("skipped: \(message)")
        }
        return nil
    }

    /// A study name no other test uses, so tests can run in parallel on one server.
    public static func uniqueStudy(_ prefix: String = "test") -> String {
        "\(prefix)-\(UUID().uuidString.lowercased())"
    }
}
