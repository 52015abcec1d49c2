import Foundation
import Testing
@testable import Search

/// `--storage` values: PostgreSQL URLs as libpq reads them, SQLite paths, redaction, and the
/// password's sources. Needs no server.
@Suite("Storage locations")
struct StorageLocationTests {
    /// An environment with no PG* variables and a home without a password file.
    static let bare: [String: String] = ["HOME": "/nonexistent-home", "PGUSER": "envuser"]

    static func postgres(_ text: String, environment: [String: String] = bare) throws -> PostgresLocation {
        guard case .postgres(let location) = try StorageLocation(parsing: text, environment: environment) else {
            throw StudyError(.badStorageLocation, "not postgres")
        }
        return location
    }

    /// The message of the error parsing `text`, or nil (recorded) when it parsed.
    static func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do throws(StudyError) {
            _ = try StorageLocation(parsing: text, environment: bare)
            Issue.record("parsed \(text)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.kind == .badStorageLocation, sourceLocation: sourceLocation)
            return error.message
        }
    }

    @Test func aFullURLIsDecoded() throws {
        let location = try Self.postgres("postgres://al%20ice:p%40ss%3Aw%2Frd@db.example.org:6543/my%2Dstudies?sslmode=require")
        #expect(location.host == "db.example.org" && location.port == 6543)
        #expect(location.user == "al ice" && location.database == "my-studies")
        #expect(location.password?.revealed == "p@ss:w/rd" && location.passwordSource == .url)
        #expect(location.sslMode == .require)
        #expect(location.redacted == "postgres://al%20ice:***@db.example.org:6543/my-studies?sslmode=require")
    }

    @Test func defaultsFollowLibpq() throws {
        let location = try Self.postgres("postgresql://db.example.org")
        #expect(location.port == 5432 && location.user == "envuser" && location.database == "envuser")
        #expect(location.sslMode == .prefer && location.password == nil && location.passwordSource == .none)
        #expect(location.redacted == "postgres://envuser@db.example.org:5432/envuser")
        let fromEnvironment = try Self.postgres("postgres://", environment: ["PGHOST": "pg.internal", "PGPORT": "6000", "PGUSER": "u",
                                                                            "PGDATABASE": "d", "PGSSLMODE": "disable", "HOME": "/nonexistent"])
        #expect(fromEnvironment.hostAndPort == "pg.internal:6000" && fromEnvironment.user == "u" && fromEnvironment.database == "d")
        #expect(fromEnvironment.sslMode == .disable)
        #expect(try Self.postgres("postgres://u@/d").host == "localhost")
    }

    @Test func anIPv6HostGoesInBrackets() throws {
        let location = try Self.postgres("postgres://u:pw@[::1]:5433/d")
        #expect(location.host == "::1" && location.port == 5433)
        #expect(location.hostAndPort == "[::1]:5433")
        #expect(location.redacted == "postgres://u:***@[::1]:5433/d")
        #expect(try Self.postgres("postgres://[fe80::1]/d").port == 5432)
    }

    @Test func sslModesAndParameters() throws {
        for mode in PostgresLocation.SSLMode.allCases {
            #expect(try Self.postgres("postgres://h/d?sslmode=\(mode.rawValue)").sslMode == mode)
        }
        let location = try Self.postgres("postgres://u@h/d?connect_timeout=3&application_name=worker%201&password=from%20query")
        #expect(location.connectTimeout == 3 && location.applicationName == "worker 1")
        #expect(location.password?.revealed == "from query" && location.passwordSource == .url)
    }

    @Test(arguments: [
        ("postgres://u@h:abc/d", "the port \"abc\" is not a number from 1 to 65535"),
        ("postgres://u@h:70000/d", "the port \"70000\" is not a number from 1 to 65535"),
        ("postgres://u@h/d?sslmode=bogus", "sslmode \"bogus\" is not one of disable, allow, prefer, require, verify-ca, verify-full"),
        ("postgres://u@h/d?timeout=3", "unknown parameter \"timeout\""),
        ("postgres://u@h/d?connect_timeout=soon", "connect_timeout \"soon\" is not a whole number of seconds above 0"),
        ("postgres://u@h/d?sslmode", "the parameter \"sslmode\" has no value"),
        ("postgres://u@h1:5432,h2:5432/d", "several hosts"),
        ("postgres://u@::1/d", "looks like an IPv6 address: write it in brackets"),
        ("postgres://u@[::1/d", "has no closing \"]\""),
        ("postgres://u@h/d%zz", "the database name is not valid percent-encoding"),
        ("postgres://u%zz@h/d", "the user name is not valid percent-encoding"),
        ("mysql://u:pw@h/d", "the scheme \"mysql\" is not supported"),
        ("postgres:h/d", "a PostgreSQL URL starts with postgres://"),
        ("sqlite:", "names no SQLite file"),
        ("", "the value is empty"),
    ])
    func badValuesNameThePartAtFault(text: String, fragment: String) {
        guard let message = Self.parseError(text) else { return }
        #expect(message.hasPrefix("--storage: "))
        #expect(message.contains(fragment), "\(message)")
    }

    @Test func aBadPasswordIsReportedWithoutIt() {
        guard let message = Self.parseError("postgres://u:s3cret%zz@h:bad/d") else { return }
        #expect(!message.contains("s3cret"), "\(message)")
        #expect(message.contains("postgres://u:***@h:bad/d"))
        guard let encoding = Self.parseError("postgres://u:s3cret%zz@h/d") else { return }
        #expect(encoding.contains("the password is not valid percent-encoding") && !encoding.contains("s3cret"), "\(encoding)")
        guard let query = Self.parseError("postgres://u@h:bad/d?password=s3cret") else { return }
        #expect(!query.contains("s3cret"), "\(query)")
    }

    @Test func sqliteLocations() throws {
        #expect(try StorageLocation(parsing: "Searches/x/journal.sqlite") == .sqlite(path: "Searches/x/journal.sqlite"))
        #expect(try StorageLocation(parsing: "sqlite:study.db") == .sqlite(path: "study.db"))
        #expect(try StorageLocation(parsing: "sqlite:///study.db") == .sqlite(path: "study.db"))
        #expect(try StorageLocation(parsing: "sqlite:////tmp/study.db") == .sqlite(path: "/tmp/study.db"))
        #expect(try StorageLocation(parsing: "/tmp/study.db").redacted == "/tmp/study.db")
    }

    @Test(arguments: [
        ("postgres://u:s3cret@h/d", "postgres://u:***@h/d"),
        ("postgres://u:s3c/r@t@h:1/d?sslmode=disable", "postgres://u:***@h:1/d?sslmode=disable"),
        ("postgresql://u@h/d?password=s3cret&sslmode=require", "postgresql://u@h/d?password=***&sslmode=require"),
        ("postgres://h/d", "postgres://h/d"),
        ("postgres://u:ab?cd@h/d", "postgres://u:***@h/d"),
        ("postgres://u@h/d?application_name=me@home&password=p@ss", "postgres://u@h/d?application_name=me@home&password=***"),
        ("mysql://u:a#b?c@h/d", "mysql://u:***@h/d"),
        ("journal.sqlite", "journal.sqlite"),
    ])
    func redactingRawText(text: String, redacted: String) {
        #expect(StorageLocation.redact(text) == redacted)
    }

    /// Passwords holding, unencoded, each character that delimits a URL (`%` as `%25`), with
    /// their decoded value: the halves `Qx1` and `Zy2` must never be seen apart either.
    static let awkwardPasswords: [(raw: String, decoded: String)] = [
        ("Qx1?Zy2", "Qx1?Zy2"), ("Qx1#Zy2", "Qx1#Zy2"), ("Qx1@Zy2", "Qx1@Zy2"), ("Qx1/Zy2", "Qx1/Zy2"),
        ("Qx1%25Zy2", "Qx1%Zy2"), ("Qx1:Zy2", "Qx1:Zy2"), ("Qx1?#/@:%25Zy2", "Qx1?#/@:%Zy2"), ("Qx1/?Zy2@", "Qx1/?Zy2@"),
    ]

    /// The credentials end at the last `@` before the query, whatever the password holds: host,
    /// port, database and query parse, and the password is hidden in both redacted forms.
    @Test(arguments: awkwardPasswords)
    func aPasswordWithURLDelimitersParses(raw: String, decoded: String) throws {
        let url = "postgres://tune:\(raw)@db.example.org:6543/tune?sslmode=require"
        let location = try Self.postgres(url)
        #expect(location.host == "db.example.org" && location.port == 6543 && location.database == "tune")
        #expect(location.user == "tune" && location.sslMode == .require)
        #expect(location.password?.revealed == decoded && location.passwordSource == .url)
        #expect(location.redacted == "postgres://tune:***@db.example.org:6543/tune?sslmode=require")
        #expect(StorageLocation.redact(url) == "postgres://tune:***@db.example.org:6543/tune?sslmode=require")
        #expect(try Self.postgres("postgres://tune:\(raw)@db/tune").database == "tune")
    }

    /// Every error about a URL whose password holds URL delimiters (or a stray `%`) is shown
    /// without the password, raw, decoded or in part.
    @Test(arguments: awkwardPasswords + [("Qx1%Zy2", "Qx1%Zy2")])
    func errorsNeverShowAnAwkwardPassword(raw: String, decoded: String) {
        let texts = [
            "postgres://tune:\(raw)@db:bad/tune", "postgres://tune:\(raw)@db:70000/tune",
            "postgres://tune:\(raw)@db/tune?timeout=3", "postgres://tune:\(raw)@db/tune?sslmode=bogus",
            "postgres://tune:\(raw)@db/tune?connect_timeout=soon", "postgres://tune:\(raw)@db/tune?sslmode",
            "postgres://tune:\(raw)@::1/tune", "postgres://tune:\(raw)@[::1/tune", "postgres://tune:\(raw)@h1,h2/tune",
            "postgres://tune:\(raw)@db/tune%zz", "postgres://tu%zzne:\(raw)@db/tune", "mysql://tune:\(raw)@db/tune",
        ]
        for text in texts {
            guard let message = Self.parseError(text) else { continue }
            for secret in [raw, decoded, "Qx1", "Zy2"] {
                #expect(!message.contains(secret), "\(text) -> \(message)")
            }
        }
        if raw.contains("%Z") {
            #expect(Self.parseError("postgres://tune:\(raw)@db/tune")?.contains("the password is not valid percent-encoding") == true)
        }
    }

    /// Every way of printing a location hides the password.
    @Test func thePasswordNeverPrints() throws {
        let storage = try StorageLocation(parsing: "postgres://u:s3cret@h/d", environment: Self.bare)
        guard case .postgres(let location) = storage else { return }
        var dumped = ""
        dump(storage, to: &dumped)
        dump(location, to: &dumped)
        let texts = ["\(storage)", String(reflecting: storage), "\(location)", String(reflecting: location),
                     "\(location.password as Any)", String(describing: Mirror(reflecting: location).children.map(\.value)), dumped]
        for text in texts {
            #expect(!text.contains("s3cret"), "\(text)")
        }
    }

    @Test func passwordSourcesComeInLibpqOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(".pgpass")
        try Data("h:5432:d:u:from-file\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let home = ["HOME": directory.path]

        #expect(try Self.postgres("postgres://u:from-url@h/d", environment: home.merging(["PGPASSWORD": "env"]) { $1 })
            .password?.revealed == "from-url")
        let fromEnvironment = try Self.postgres("postgres://u@h/d", environment: home.merging(["PGPASSWORD": "env"]) { $1 })
        #expect(fromEnvironment.password?.revealed == "env" && fromEnvironment.passwordSource == .environment)
        let fromFile = try Self.postgres("postgres://u@h/d", environment: home)
        #expect(fromFile.password?.revealed == "from-file" && fromFile.passwordSource == .passwordFile(file.path))
        #expect(try Self.postgres("postgres://u@h:5433/d", environment: home).password == nil)

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let ignored = try Self.postgres("postgres://u@h/d", environment: home)
        #expect(ignored.password == nil)
        #expect(ignored.ignoredPasswordFile?.contains("chmod 0600") == true)
    }

    @Test func passwordFileLinesFollowLibpq() {
        let text = #"""
            # comment:with:colons:and:fields
            short:line
            other:*:*:*:wrong
            h:5432:db\:x:u:p\:a\\ss:ignored-rest
            *:*:*:u:fallback
            """#
        #expect(PostgresPasswordFile.match(text: text, host: "h", port: 5432, database: "db:x", user: "u") == #"p:a\ss"#)
        #expect(PostgresPasswordFile.match(text: text, host: "h", port: 5432, database: "db", user: "u") == "fallback")
        #expect(PostgresPasswordFile.match(text: text, host: "h", port: 5432, database: "db", user: "v") == nil)
        #expect(PostgresPasswordFile.match(text: #"\*:*:*:*:literal-star"#, host: "h", port: 1, database: "d", user: "u") == nil)
        #expect(PostgresPasswordFile.match(text: #"\*:*:*:*:literal-star"#, host: "*", port: 1, database: "d", user: "u") == "literal-star")
    }
}
