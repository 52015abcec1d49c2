import Foundation

/// Where a study's journal lives, from a `--storage` value: an SQLite file (a plain path,
/// `sqlite:PATH`, or SQLAlchemy's `sqlite:///relative` / `sqlite:////absolute`) or a PostgreSQL
/// database (`postgres://user:pass@host:port/db`). Its description is always the redacted form.
public enum StorageLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// An SQLite journal file.
    case sqlite(path: String)
    /// A PostgreSQL database shared by workers on many machines.
    case postgres(PostgresLocation)

    /// Parses a `--storage` value; `environment` supplies libpq's `PG*` defaults and passwords.
    public init(parsing text: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(StudyError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: trimmed, environment: environment))
        } else if lowered.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("///") { path.removeFirst(3) }  // sqlite:///a.db -> a.db, sqlite:////abs -> /abs
            guard !path.isEmpty else { throw StudyError(.badStorageLocation, "--storage: \(text) names no SQLite file") }
            self = .sqlite(path: path)
        } else if let scheme = trimmed.range(of: "://").map({ trimmed[..<$0.lowerBound] }) {
            throw StudyError(.badStorageLocation,
                             "--storage: the scheme \"\(scheme)\" is not supported (in \(Self.redact(text))); use postgres://user@host:port/db or an SQLite file path")
        } else if lowered.hasPrefix("postgres:") || lowered.hasPrefix("postgresql:") {
            throw StudyError(.badStorageLocation, "--storage: a PostgreSQL URL starts with postgres:// (in \(Self.redact(text)))")
        } else {
            guard !trimmed.isEmpty else { throw StudyError(.badStorageLocation, "--storage: the value is empty") }
            self = .sqlite(path: trimmed)
        }
    }

    /// The form to show people: the path, or the URL with its password replaced by `***`.
    public var redacted: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.redacted
        }
    }

    public var description: String { redacted }
    public var debugDescription: String { redacted }

    /// `text` (a `--storage` value that may not parse) with any password in it replaced by `***`:
    /// everything after the first `:` of the credentials, which end where the parser says
    /// (`URLUserInfo`: the last `@` before the query, so a `?`, `#`, `/` or `@` in the password
    /// stays hidden), and every `password=` query parameter.
    public static func redact(_ text: String) -> String {
        guard let separator = text.range(of: "://") else { return text }
        var result = String(text[..<separator.upperBound])
        let (credentials, rest) = URLUserInfo.split(text[separator.upperBound...])
        if let credentials {
            let (user, password) = URLUserInfo.userAndPassword(credentials)
            result += user + (password == nil ? "" : ":***") + "@"
        }
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        let pairs = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let key = pair.prefix { $0 != "=" }
            return (key.removingPercentEncoding ?? String(key)).lowercased() == "password" ? key + "=***" : String(pair)
        }
        return result + pairs.joined(separator: "&")
    }
}
