import Foundation
import PostgresNIO

extension PostgresJournal {
    /// How many times a transaction that lost a serialization conflict or a deadlock is tried.
    static let conflictAttempts = 8

    /// Runs `transaction` (which rolls itself back when it fails) again when the server aborted
    /// it with a serialization failure (40001) or a deadlock (40P01): nothing of it was committed,
    /// so trying again is safe. Waits a little longer, with jitter, before each new attempt.
    func retryingSerializationFailures<Value>(_ transaction: () throws -> Value) throws -> Value {
        var attempt = 1
        while true {
            do {
                return try transaction()
            } catch where attempt < Self.conflictAttempts && PostgresFailure.isTransactionConflict(error) {
                Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.02) * Double(attempt))
                attempt += 1
            }
        }
    }
}

extension PostgresFailure {
    /// True for errors after which the whole transaction may simply be tried again.
    static func isTransactionConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        return ["40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "")
    }
}
