import Foundation

extension PostgresLocation {
    /// The query parameters a storage URL may carry.
    static let knownParameters = ["sslmode", "connect_timeout", "application_name", "password"]

    /// Parses `postgres://[user[:password]@][host][:port][/database][?sslmode=...]` (or
    /// `postgresql://`) as libpq does: percent-decoding, `[::1]` IPv6 hosts, defaults from `PGHOST`,
    /// `PGPORT`, `PGUSER`, `PGDATABASE` and `PGSSLMODE`, and the password from the URL, then
    /// `PGPASSWORD`, then the password file. Errors start with `--storage:` and never hold the password.
    public init(url text: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(StudyError) {
        let shown = StorageLocation.redact(text)
        guard let separator = text.range(of: "://") else {
            throw StudyError(.badStorageLocation, "--storage: not a postgres:// URL (in \(shown))")
        }
        // Credentials end at the last "@" before the query (URLUserInfo), so an unencoded "?",
        // "#", "@" or "/" in a password still parses (and is redacted) instead of being taken for
        // the query, the host or the database.
        let (credentials, authority) = URLUserInfo.split(text[separator.upperBound...])
        let (userText, passwordText) = credentials.map(URLUserInfo.userAndPassword) ?? (nil, nil)
        let secrets = [passwordText.map(String.init), passwordText?.removingPercentEncoding].compactMap { $0 }.filter { !$0.isEmpty }
        func fail(_ message: String) -> StudyError {
            // The redacted URL hides the password; scrubbing the rest too is a second guard.
            let text = secrets.reduce("--storage: \(message) (in \(shown))") { $0.replacingOccurrences(of: $1, with: "***") }
            return StudyError(.badStorageLocation, text)
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw fail("the scheme \"\(scheme)\" is not postgres or postgresql")
        }
        var rest = authority
        var queryText: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let hostText = rest[..<slash]
        let databaseText = slash < rest.endIndex ? rest[rest.index(after: slash)...] : ""

        if hostText.contains(",") { throw fail("several hosts (\(hostText)) are not supported; give one") }
        let (host, portText) = try Self.splitHost(hostText, fail: fail)
        let parameters = try Self.parameters(queryText, fail: fail)

        let decodedUser = try Self.decode(userText ?? "", what: "the user name", fail: fail)
        let user = !decodedUser.isEmpty ? decodedUser : (environment["PGUSER"] ?? NSUserName())
        var decodedHost = try Self.decode(host, what: "the host", fail: fail)
        if decodedHost.isEmpty {
            // libpq would use a Unix socket here; tune connects over TCP only.
            decodedHost = environment["PGHOST"].flatMap { $0.hasPrefix("/") || $0.isEmpty ? nil : $0 } ?? "localhost"
        }
        let port = try Self.port(portText.isEmpty ? (environment["PGPORT"] ?? "") : String(portText), fail: fail)
        let decodedDatabase = try Self.decode(databaseText, what: "the database name", fail: fail)
        let database = !decodedDatabase.isEmpty ? decodedDatabase : (environment["PGDATABASE"] ?? user)

        let sslText = parameters["sslmode"] ?? environment["PGSSLMODE"]
        var sslMode = SSLMode.prefer
        if let sslText {
            guard let mode = SSLMode(rawValue: sslText) else {
                let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail("sslmode \"\(sslText)\" is not one of \(modes)")
            }
            sslMode = mode
        }
        var connectTimeout = 10
        if let timeoutText = parameters["connect_timeout"] {
            guard let seconds = Int(timeoutText), seconds > 0 else {
                throw fail("connect_timeout \"\(timeoutText)\" is not a whole number of seconds above 0")
            }
            connectTimeout = seconds
        }

        self.init(host: decodedHost, port: port, user: user, database: database, sslMode: sslMode,
                  connectTimeout: connectTimeout, applicationName: parameters["application_name"] ?? "tune")
        if let passwordText {
            guard let password = passwordText.removingPercentEncoding else {
                throw fail("the password is not valid percent-encoding (write %25 for a literal %)")
            }
            if !password.isEmpty { self.password = Secret(password) }
        }
        if password == nil, let password = parameters["password"], !password.isEmpty { self.password = Secret(password) }
        if password != nil {
            passwordSource = .url
        } else {
            findPassword(environment: environment)
        }
    }

    /// Fills in the password from `PGPASSWORD`, then the password file, as libpq does.
    mutating func findPassword(environment: [String: String]) {
        if let password = environment["PGPASSWORD"], !password.isEmpty {
            self.password = Secret(password)
            passwordSource = .environment
            return
        }
        let path = PostgresPasswordFile.path(environment: environment)
        switch PostgresPasswordFile.lookup(path: path, host: host, port: port, database: database, user: user) {
        case .found(let password):
            self.password = Secret(password)
            passwordSource = .passwordFile(path)
        case .ignored(let reason):
            ignoredPasswordFile = reason
        case .notFound:
            break
        }
    }

    /// Splits `host[:port]`, `[v6]` or `[v6]:port`.
    private static func splitHost(_ text: Substring, fail: (String) -> StudyError) throws(StudyError) -> (Substring, Substring) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("the host \"\(text)\" has no closing \"]\"") }
            let host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.isEmpty { return (host, "") }
            guard after.hasPrefix(":") else { throw fail("unexpected \"\(after)\" after the host [\(host)]") }
            return (host, after.dropFirst())
        }
        guard let colon = text.firstIndex(of: ":") else { return (text, "") }
        let port = text[text.index(after: colon)...]
        if port.contains(":") { throw fail("the host \"\(text)\" looks like an IPv6 address: write it in brackets, [::1]") }
        return (text[..<colon], port)
    }

    /// A port number from 1 to 65535, or 5432 when `text` is empty.
    private static func port(_ text: String, fail: (String) -> StudyError) throws(StudyError) -> Int {
        if text.isEmpty { return 5432 }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw fail("the port \"\(text)\" is not a number from 1 to 65535")
        }
        return port
    }

    /// The `key=value` pairs of the query, decoded; unknown keys are errors, as in libpq.
    private static func parameters(_ text: Substring, fail: (String) -> StudyError) throws(StudyError) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else { throw fail("the parameter \"\(pair)\" has no value") }
            let key = try decode(pair[..<equals], what: "a parameter name", fail: fail)
            guard knownParameters.contains(key) else {
                throw fail("unknown parameter \"\(key)\"; tune understands \(knownParameters.joined(separator: ", "))")
            }
            let what = key == "password" ? "the password" : "the value of \(key)"
            result[key] = try decode(pair[pair.index(after: equals)...], what: what, fail: fail)
        }
        return result
    }

    /// Percent-decodes one part of the URL, naming it when it is malformed.
    private static func decode(_ text: Substring, what: String, fail: (String) -> StudyError) throws(StudyError) -> String {
        guard let decoded = text.removingPercentEncoding else {
            throw fail("\(what) is not valid percent-encoding (write %25 for a literal %)")
        }
        return decoded
    }
}
