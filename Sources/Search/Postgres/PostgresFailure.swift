import Foundation
import PostgresNIO

/// Turns PostgresNIO's and SwiftNIO's errors into one line for a person: what failed, at which
/// server, and what to check. Never the password: server text is scrubbed of it too.
enum PostgresFailure {
    /// A request that got no answer in time; its connection is treated as lost.
    struct NoAnswer: Error {
        var seconds: Int
    }

    /// True when the connection itself was lost (closed, reset, server shut down or killed the
    /// session): worth one reconnect. Server errors about the request itself are not.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
                return true
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
            default:
                return false
            }
        }
        return error is ChannelError || error is IOError || error is NoAnswer
    }

    /// The error as a `StudyError` while trying to `action` ("connect", "read the study's journal").
    static func studyError(_ error: any Error, location: PostgresLocation, action: String) -> StudyError {
        let message = location.scrub(describe(error, location: location, action: action))
        return StudyError(.storage, message)
    }

    /// The sentence for `error`.
    private static func describe(_ error: any Error, location: PostgresLocation, action: String) -> String {
        let server = location.hostAndPort
        let database = "\(server)/\(location.database)"
        if let error = error as? NoAnswer {
            if action == "connect" { return "cannot connect to PostgreSQL at \(server): no answer within \(error.seconds) s" }
            return "cannot \(action) at \(database): no answer from the server within \(error.seconds) s"
        }
        guard let error = error as? PSQLError else {
            return "cannot \(action) at \(location.redacted): \(networkReason(error) ?? String(describing: error))"
        }
        switch error.code {
        case .server:
            return serverMessage(error, location: location, action: action)
        case .connectionError:
            let reason = error.underlying.flatMap(networkReason) ?? "the connection failed"
            return "cannot connect to PostgreSQL at \(server): \(reason)"
        case .sslUnsupported:
            return "PostgreSQL at \(server) does not offer TLS, which sslmode=\(location.sslMode.rawValue) asks for (use sslmode=prefer or disable on a trusted network)"
        case .authMechanismRequiresPassword:
            var text = "PostgreSQL at \(database) asks for a password for user \(location.user); give it in the URL, PGPASSWORD or a password file (~/.pgpass)"
            if let ignored = location.ignoredPasswordFile { text += "; \(ignored)" }
            return text
        case .unsupportedAuthMechanism:
            return "PostgreSQL at \(database) asks user \(location.user) for an authentication method tune does not support (use scram-sha-256, md5 or password in pg_hba.conf)"
        case .saslError:
            return "PostgreSQL at \(database): the SCRAM password exchange for user \(location.user) failed"
        case .serverClosedConnection, .uncleanShutdown:
            return "cannot \(action) at \(database): the server closed the connection"
        default:
            return "cannot \(action) at \(database): \(error.code)"
        }
    }

    /// The server's own error, reworded for the common cases by SQLSTATE.
    private static func serverMessage(_ error: PSQLError, location: PostgresLocation, action: String) -> String {
        let server = location.hostAndPort
        let database = "\(server)/\(location.database)"
        let state = error.serverInfo?[.sqlState] ?? ""
        let text = error.serverInfo?[.message] ?? "an unexplained error"
        switch state {
        case "28P01":
            var message = "PostgreSQL rejected the password for user \(location.user) at \(database)"
            if location.password == nil, let ignored = location.ignoredPasswordFile { message += " (\(ignored))" }
            return message
        case "28000":
            return "PostgreSQL refused user \(location.user) at \(database): \(text)"
        case "3D000":
            return "database \"\(location.database)\" does not exist at \(server)"
        case "42501":
            return "PostgreSQL at \(database) refused to \(action) for user \(location.user): \(text) (tune needs to create the tables tune_studies and tune_journal once, then SELECT, INSERT and UPDATE on them)"
        case "53300":
            return "PostgreSQL at \(server) has no free connection for user \(location.user): \(text)"
        case "57P01", "57P02", "57P03":
            return "cannot \(action) at \(database): the server is shutting down or starting up (\(text))"
        default:
            return "cannot \(action) at \(database): \(text) (SQLSTATE \(state))"
        }
    }

    /// A few words for a network failure: refused, unknown host, timeout, reset.
    private static func networkReason(_ error: any Error) -> String? {
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return networkReason(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name \"\(error.host)\" cannot be resolved" }
            return "no address to connect to"
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused — is the server running?"
            case ETIMEDOUT: return "the connection timed out"
            case ECONNRESET: return "the connection was reset"
            case EHOSTUNREACH, ENETUNREACH: return "the host cannot be reached"
            default: return String(cString: strerror(error.errnoCode)).lowercased()
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout(let amount): return "no answer within \(amount.nanoseconds / 1_000_000_000) s"
            default: return "\(error)"
            }
        }
        if error is SocketAddressError { return "the host name cannot be resolved" }
        return nil
    }
}
