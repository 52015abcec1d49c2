import Foundation
import PostgresNIO

/// A study's journal in a PostgreSQL database through PostgresNIO, shared by workers on many
/// machines. Every study of a database lives in two tables (`PostgresJournal+Schema.swift`):
/// `tune_journal(study, id, batch, body)` and one counter row per study in
/// `tune_studies(study, next_id)`.
///
/// Ids are gapless and in commit order, so a reader never skips an entry: an append takes the
/// study's counter row with `UPDATE ... RETURNING next_id` (its row lock is held until commit),
/// inserts its entries under the ids it got, and commits. A second writer waits on that lock and
/// continues from the committed counter. (Serial columns would not do: their values are handed
/// out at insert time, not commit time.)
///
/// The protocol is synchronous (the coordinator is thread-based): each call blocks its thread on
/// a PostgresNIO future, which completes on NIO's event-loop threads, never on the caller's or on
/// Swift's cooperative pool. One connection per journal, used by one call at a time; it is
/// opened again once when the server drops it.
public final class PostgresJournal: JournalBackend, CustomStringConvertible, @unchecked Sendable {
    /// The database (its description is redacted).
    public let location: PostgresLocation
    /// The study's name: the key of its rows.
    public let study: String

    let lock = NSLock()
    /// The open connection, if any; guarded by `lock`.
    var connection: PostgresConnection?
    let logger: Logger
    let tls: PostgresConnection.Configuration.TLS

    /// The longest a statement may go unanswered before its connection is given up for lost
    /// (appends wait here for other writers' short transactions; a session orphaned in the middle
    /// of one is ended by the server after a minute).
    static let answerTimeout = 300

    /// Connects to `location` (creating the journal tables when they are missing) for the
    /// journal of `study`. Errors are one line naming the server, never the password.
    public init(location: PostgresLocation, study: String) throws(StudyError) {
        guard !study.isEmpty else { throw StudyError(.badStorageLocation, "a PostgreSQL journal needs a study name") }
        self.location = location
        self.study = study
        var logger = Logger(label: "tune.postgres")
        logger.logLevel = .critical  // PostgresNIO's own log lines would only be noise on stdout
        self.logger = logger
        tls = try Self.tls(for: location)
        try withConnection(while: "create the journal tables") { connection, _ in
            try self.createTablesIfMissing(on: connection)
        }
    }

    /// The journal of `study` at `location`, which must be a PostgreSQL location.
    public convenience init(location: StorageLocation, study: String) throws(StudyError) {
        guard case .postgres(let postgres) = location else {
            throw StudyError(.badStorageLocation, "--storage: \(location.redacted) is not a postgres:// URL")
        }
        try self.init(location: postgres, study: study)
    }

    deinit {
        if let connection { Self.retire(connection) }
    }

    /// `postgres://user:***@host:port/db (study NAME)`.
    public var description: String { "\(location.redacted) (study \(study))" }

    /// Appends `operations` in one transaction under the next gapless ids; after a lost
    /// connection it is retried once, and never written twice.
    public func append(_ operations: [JournalOperation]) throws(StudyError) {
        guard !operations.isEmpty else { return }
        let bodies = operations.map(JournalEncoding.encode)
        // Marks this batch's rows, so a retry after a lost connection can tell whether the first
        // attempt committed after all (and then adds nothing).
        let batch = UUID()
        try withConnection(while: "write to the study's journal") { connection, isRetry in
            try self.retryingSerializationFailures {
                try self.appendBatch(bodies, batch: batch, unlessPresent: isRetry, on: connection)
            }
        }
    }

    /// The study's entries from `index` on, in id order; a missing id is a corrupt journal.
    public func read(from index: Int) throws(StudyError) -> [JournalOperation] {
        guard index >= 0 else { throw StudyError(.storage, "\(description): a journal cannot be read from entry \(index)") }
        let rows = try withConnection(while: "read the study's journal") { connection, _ in
            try self.run("SELECT id, body FROM tune_journal WHERE study = \(self.study) AND id >= \(Int64(index)) ORDER BY id",
                         on: connection).rows.map { try $0.decode((Int64, String).self) }
        }
        var operations: [JournalOperation] = []
        operations.reserveCapacity(rows.count)
        for (offset, row) in rows.enumerated() {
            guard row.0 == Int64(index + offset) else {
                throw StudyError(.corruptJournal, "\(description): journal entry \(index + offset) is missing (the next is \(row.0))")
            }
            operations.append(try JournalEncoding.decode(row.1, index: Int(row.0), source: description))
        }
        return operations
    }

    /// Closes the connection and waits until it is closed; a later call opens a new one.
    public func close() {
        lock.withLock {
            guard let connection else { return }
            if connection.eventLoop.inEventLoop {
                Self.retire(connection)  // never block an event loop
            } else {
                let closed: EventLoopFuture<Void> = connection.close()
                _ = try? Self.wait(for: closed, seconds: 10)
            }
            self.connection = nil
        }
    }

    /// One append transaction: take the counter row, insert the bodies under the ids it gives,
    /// commit. With `unlessPresent` (a retry) nothing is added when `batch` is already there.
    /// READ COMMITTED whatever the server's `default_transaction_isolation`: a writer that waited
    /// for the counter row must continue from the committed value, where REPEATABLE READ and
    /// SERIALIZABLE would fail it with 40001.
    func appendBatch(_ bodies: [String], batch: UUID, unlessPresent: Bool, on connection: PostgresConnection) throws {
        let count = Int64(bodies.count)
        try run("BEGIN ISOLATION LEVEL READ COMMITTED", on: connection)
        do {
            var end = try run("UPDATE tune_studies SET next_id = next_id + \(count) WHERE study = \(study) RETURNING next_id",
                              on: connection).rows.first?.decode(Int64.self)
            if end == nil {
                // The study's first append: add its counter row (racing creators are fine).
                try run("INSERT INTO tune_studies (study, next_id) VALUES (\(study), 0) ON CONFLICT (study) DO NOTHING", on: connection)
                end = try run("UPDATE tune_studies SET next_id = next_id + \(count) WHERE study = \(study) RETURNING next_id",
                              on: connection).rows.first?.decode(Int64.self)
            }
            guard let end else {
                throw StudyError(.storage, "\(description): the study's counter row vanished during an append")
            }
            if unlessPresent {
                // A fresh snapshot, taken after the counter lock: an earlier attempt of this batch
                // that committed is visible now.
                let present = try run("SELECT EXISTS (SELECT 1 FROM tune_journal WHERE study = \(study) AND batch = \(batch))",
                                      on: connection).rows.first?.decode(Bool.self) ?? false
                if present {
                    try run("ROLLBACK", on: connection)
                    return
                }
            }
            let first = end - count
            try run("""
                INSERT INTO tune_journal (study, id, batch, body)
                SELECT \(study), \(first) + entry.ordinal - 1, \(batch), entry.body
                FROM unnest(\(bodies)::text[]) WITH ORDINALITY AS entry(body, ordinal)
                """, on: connection)
            try run("COMMIT", on: connection)
        } catch {
            rollBack(after: error, on: connection)
            throw error
        }
    }

    /// Ends a failed transaction, unless the connection itself was lost (a request sent on a
    /// dying connection may never be answered; the server rolls back on its own then).
    func rollBack(after error: any Error, on connection: PostgresConnection) {
        guard !PostgresFailure.isConnectionLoss(error), !connection.isClosed else { return }
        _ = try? run("ROLLBACK", on: connection)
    }
}
