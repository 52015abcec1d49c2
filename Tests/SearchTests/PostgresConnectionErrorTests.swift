import Foundation
import Testing
import TestSupport
@testable import Search

/// One clear line for each way of failing to reach a study on PostgreSQL, never holding the
/// password; and the password found in `PGPASSWORD` or a password file, as libpq finds it.
@Suite("PostgreSQL connection errors and passwords",
       .enabled(if: PostgresServer.isRequiredOrAvailable, "no PostgreSQL test server (TUNE_TEST_POSTGRES_URL)"))
struct PostgresConnectionErrorTests {
    /// The message of the error opening a journal at `location`, or nil (recorded) when it opened.
    static func failure(_ location: PostgresLocation, sourceLocation: SourceLocation = #_sourceLocation) -> StudyError? {
        do throws(StudyError) {
            _ = try PostgresJournal(location: location, study: "errors")
            Issue.record("opened a journal at \(location)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// True when `text` holds neither `password` nor its percent-encoded form.
    static func hides(_ password: String, in text: String) -> Bool {
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
        return !text.contains(password) && !text.contains(encoded)
    }

    @Test func aWrongPasswordIsNamedAsSuch() throws {
        guard var location = try PostgresTesting.location() else { return }
        let right = location.password?.revealed ?? ""
        location.password = Secret("wrong-s3cret")
        guard let error = Self.failure(location) else { return }
        #expect(error.message == "PostgreSQL rejected the password for user \(location.user) at \(location.hostAndPort)/\(location.database)")
        #expect(Self.hides("wrong-s3cret", in: error.message) && Self.hides(right, in: error.message))
    }

    @Test func aMissingDatabaseIsNamed() throws {
        guard var location = try PostgresTesting.location() else { return }
        location.database = "tune_missing_\(UUID().uuidString.prefix(8).lowercased())"
        guard let error = Self.failure(location) else { return }
        #expect(error.message == "database \"\(location.database)\" does not exist at \(location.hostAndPort)")
        #expect(Self.hides(location.password?.revealed ?? "", in: error.message))
    }

    @Test func thePasswordMayComeFromPGPASSWORD() throws {
        guard let server = try PostgresTesting.location() else { return }
        let password = try #require(server.password?.revealed)
        let home = try PostgresTesting.temporaryDirectory()
        let location = try PostgresLocation(url: Self.urlWithoutPassword(server),
                                            environment: ["PGPASSWORD": password, "HOME": home.path])
        #expect(location.passwordSource == .environment)
        let journal = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("pgpassword"))
        #expect(try journal.read(from: 0).isEmpty)
        #expect(Self.hides(password, in: "\(location) \(journal) \(String(reflecting: location))"))
    }

    @Test func thePasswordMayComeFromAPrivatePasswordFile() throws {
        guard let server = try PostgresTesting.location() else { return }
        let password = try #require(server.password?.revealed)
        let file = try Self.passwordFile(for: server, password: password, mode: 0o600)
        let location = try PostgresLocation(url: Self.urlWithoutPassword(server), environment: ["PGPASSFILE": file.path])
        #expect(location.passwordSource == .passwordFile(file.path))
        let journal = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("pgpass"))
        #expect(try journal.read(from: 0).isEmpty)
    }

    @Test func aPasswordFileOthersMayReadIsIgnored() throws {
        guard let server = try PostgresTesting.location() else { return }
        let password = try #require(server.password?.revealed)
        let file = try Self.passwordFile(for: server, password: password, mode: 0o644)
        let location = try PostgresLocation(url: Self.urlWithoutPassword(server), environment: ["PGPASSFILE": file.path])
        #expect(location.password == nil && location.passwordSource == .none)
        guard let error = Self.failure(location) else { return }
        #expect(error.message.contains("asks for a password for user \(server.user)"))
        #expect(error.message.contains("\(file.path) was ignored because group or others may read it"))
        #expect(Self.hides(password, in: error.message))
    }

    /// The server's URL without its password.
    static func urlWithoutPassword(_ server: PostgresLocation) -> String {
        "postgres://\(server.user)@\(server.hostAndPort)/\(server.database)?sslmode=disable"
    }

    /// A password file with a comment, a line for another server, then the server's line with
    /// its colons and backslashes escaped.
    static func passwordFile(for server: PostgresLocation, password: String, mode: Int) throws -> URL {
        let escaped = password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
        let text = """
            # tune test password file
            elsewhere.example:*:*:*:not-this-one
            \(server.host):\(server.port):*:\(server.user):\(escaped)
            *:*:*:*:nor-this-one

            """
        let file = try PostgresTesting.temporaryDirectory().appendingPathComponent("pgpass")
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        return file
    }
}

/// Needs no server: nothing listens on the port.
@Test("A refused connection asks whether the server runs")
func aRefusedConnectionAsksWhetherTheServerRuns() throws {
    let port = PostgresTesting.unusedPort()
    let location = try PostgresLocation(url: "postgres://someone:refused-s3cret@127.0.0.1:\(port)/db?sslmode=disable", environment: [:])
    guard let error = PostgresConnectionErrorTests.failure(location) else { return }
    #expect(error.kind == .storage)
    #expect(error.message == "cannot connect to PostgreSQL at 127.0.0.1:\(port): connection refused — is the server running?")
    #expect(PostgresConnectionErrorTests.hides("refused-s3cret", in: error.message))
}
