import Foundation
import PostgresNIO
import Synchronization

extension PostgresJournal {
    /// Runs `body` on the journal's connection (opening it when there is none or the server
    /// closed it), one call at a time. When the connection is lost during `body`, it connects
    /// again and runs `body` once more with `isRetry` true. Errors become one `StudyError` line
    /// saying what could not be done (`action`), with the password redacted.
    func withConnection<Value>(while action: String,
                                _ body: (PostgresConnection, _ isRetry: Bool) throws -> Value) throws(StudyError) -> Value {
        lock.lock()
        defer { lock.unlock() }
        var isRetry = false
        while true {
            let connection = try openConnection()
            do {
                return try body(connection, isRetry)
            } catch let error as StudyError {
                throw error
            } catch {
                let lost = PostgresFailure.isConnectionLoss(error)
                if lost {
                    Self.retire(connection)
                    self.connection = nil
                }
                if lost && !isRetry {
                    isRetry = true
                    continue
                }
                throw PostgresFailure.studyError(error, location: location, action: action)
            }
        }
    }

    /// Closes `connection` without waiting, keeping it alive until it is closed (PostgresNIO
    /// requires a connection to be closed before it is released).
    static func retire(_ connection: PostgresConnection) {
        let closed: EventLoopFuture<Void> = connection.close()
        closed.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Runs one statement and collects its rows, blocking this thread (never an event loop's).
    @discardableResult
    func run(_ query: PostgresQuery, on connection: PostgresConnection) throws -> PostgresQueryResult {
        try Self.wait(for: connection.query(query, logger: logger), seconds: Self.answerTimeout)
    }

    /// Blocks until `future` completes, or throws `PostgresFailure.NoAnswer` after `seconds`: a
    /// safety net, so a request lost with its connection cannot hang the caller forever.
    static func wait<Value: Sendable>(for future: EventLoopFuture<Value>, seconds: Int) throws -> Value {
        let outcome = Mutex<Result<Value, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + .seconds(seconds)) == .success,
              let result = outcome.withLock({ $0 }) else {
            throw PostgresFailure.NoAnswer(seconds: seconds)
        }
        return try result.get()
    }

    /// The current connection, or a new one when there is none or it was closed. Holds `lock`.
    private func openConnection() throws(StudyError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password?.revealed, database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        configuration.options.additionalStartupParameters = [
            ("application_name", location.applicationName),
            // A transaction orphaned by a lost client must not hold the study's counter row for
            // long: the server ends such a session after a minute of silence.
            ("idle_in_transaction_session_timeout", "60000"),
        ]
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let connecting = PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: logger)
        do {
            let opened = try Self.wait(for: connecting, seconds: location.connectTimeout + 5)
            connection = opened
            return opened
        } catch {
            connecting.whenSuccess { late in Self.retire(late) }  // given up on: close it when it comes
            throw PostgresFailure.studyError(error, location: location, action: "connect")
        }
    }

    /// The TLS setting for libpq's `sslmode` (`require` encrypts without checking the certificate,
    /// `verify-ca` checks the chain, `verify-full` the host name too, as in libpq).
    static func tls(for location: PostgresLocation) throws(StudyError) -> PostgresConnection.Configuration.TLS {
        func context(_ verification: CertificateVerification) throws(StudyError) -> NIOSSLContext {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = verification
            do {
                return try NIOSSLContext(configuration: configuration)
            } catch {
                throw StudyError(.storage, "cannot set up TLS for \(location.redacted): \(error)")
            }
        }
        switch location.sslMode {
        case .disable: return .disable
        case .allow, .prefer: return .prefer(try context(.none))
        case .require: return .require(try context(.none))
        case .verifyCA: return .require(try context(.noHostnameVerification))
        case .verifyFull: return .require(try context(.fullVerification))
        }
    }
}
