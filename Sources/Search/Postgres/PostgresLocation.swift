import Foundation

/// Where a PostgreSQL journal lives: server, user, database and how to reach them, parsed from a
/// `postgres://` URL (`PostgresLocation+URL.swift`). The password is a `Secret`, and every
/// description of a location is the redacted URL (`postgres://user:***@host:5432/db`).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Where the password came from, in libpq's order of preference.
    public enum PasswordSource: Sendable, Equatable {
        /// The URL (`user:password@` or `?password=`).
        case url
        /// The `PGPASSWORD` environment variable.
        case environment
        /// A line of the password file at this path (`PGPASSFILE` or `~/.pgpass`).
        case passwordFile(String)
        /// No password; the server may not need one.
        case none
    }

    /// The server's host name or address (an IPv6 address without brackets).
    public var host: String
    /// The server's TCP port (5432 unless given).
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The database holding the journal tables.
    public var database: String
    /// Whether and how to use TLS (`prefer` unless given, as libpq).
    public var sslMode: SSLMode
    /// Seconds to wait for the server to accept a connection.
    public var connectTimeout: Int
    /// Sent to the server as `application_name` (shown in `pg_stat_activity`).
    public var applicationName: String
    /// The password, when one was found.
    public internal(set) var password: Secret?
    /// Where `password` came from.
    public internal(set) var passwordSource: PasswordSource
    /// Why a password file that exists was not used (its permissions), for error messages.
    public internal(set) var ignoredPasswordFile: String?
    /// True when the URL named the sslmode (it is then kept in the redacted form).
    var sslModeGiven: Bool

    /// A location with everything given; `password` comes from `passwordSource`.
    public init(host: String, port: Int = 5432, user: String, database: String, sslMode: SSLMode = .prefer,
                connectTimeout: Int = 10, applicationName: String = "tune", password: Secret? = nil,
                passwordSource: PasswordSource = .none) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.sslMode = sslMode
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.password = password
        self.passwordSource = password == nil ? .none : passwordSource
        self.ignoredPasswordFile = nil
        self.sslModeGiven = sslMode != .prefer
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var hostAndPort: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The URL with the password replaced by `***` (and left out when it did not come from the
    /// URL): safe for logs, reports, `tune status` and error messages.
    public var redacted: String {
        let credentials = passwordSource == .url ? "\(Self.encode(user)):***" : Self.encode(user)
        let query = sslModeGiven ? "?sslmode=\(sslMode.rawValue)" : ""
        return "postgres://\(credentials)@\(hostAndPort)/\(Self.encode(database))\(query)"
    }

    public var description: String { redacted }
    public var debugDescription: String { redacted }

    /// `text` with the password (if any) replaced by `***`.
    func scrub(_ text: String) -> String {
        password?.scrub(text) ?? text
    }

    /// Percent-encodes what would not survive in a URL's user or path part.
    private static func encode(_ part: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return part.addingPercentEncoding(withAllowedCharacters: allowed) ?? part
    }
}
