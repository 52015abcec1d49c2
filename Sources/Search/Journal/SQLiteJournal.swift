import Foundation
import GRDB

/// A journal in an SQLite file through GRDB: WAL mode (so `tune status` reads while the
/// coordinator writes), one IMMEDIATE transaction per append, and entry ids assigned from the
/// current maximum inside that transaction, so ids are gapless and in commit order.
///
/// One process per machine writes (the coordinator or `tune worker`); several writers would still
/// be serialised by SQLite's lock, waiting up to `busyTimeout` instead of failing at once.
public final class SQLiteJournal: JournalBackend {
    public let path: String
    private let database: DatabaseQueue

    /// How long a write waits for another connection's lock.
    public static let busyTimeout: TimeInterval = 10

    /// Opens (creating when needed) the journal at `path`; the directory must exist. A path on a
    /// network file system is refused before anything is created there.
    public convenience init(path: String) throws(StudyError) {
        try self.init(path: path, networkFileSystem: { NetworkFileSystem.name(at: $0) })
    }

    /// As `init(path:)`, with the network file system check given (for tests).
    init(path: String, networkFileSystem: (String) -> String?) throws(StudyError) {
        if let fileSystem = networkFileSystem(path) {
            throw StudyError(.badStorageLocation, """
                \(path) is on a network file system (\(fileSystem)); an SQLite journal needs a local disk, \
                because SQLite's write-ahead log works only with all its users on one machine. \
                Put the journal on a local disk, or share the study between machines with --storage postgres://...
                """)
        }
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "tune journal"
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.useWriteAheadLog(database)
            try Self.createSchema(database, path: path)
        } catch let error as StudyError {
            throw error
        } catch {
            throw StudyError(.storage, "\(path): cannot open the study's journal: \(Self.describe(error))")
        }
    }

    /// The schema's name in `grdb_migrations` (the table GRDB's migrator used to keep, kept so
    /// journals of earlier releases open unchanged).
    static let schemaVersion = "journal v1"

    /// Creates the table in one IMMEDIATE transaction (so connections opening a new journal at
    /// the same moment create it once), or checks that an existing journal has no newer schema.
    private static func createSchema(_ database: DatabaseQueue, path: String) throws {
        try database.inTransaction(.immediate) { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            if !applied.isSubset(of: [schemaVersion]) {
                throw StudyError(.newerFormat, "\(path) was created by a newer tune (schema \(applied.sorted().joined(separator: ", ")))")
            }
            if applied.isEmpty {
                try db.execute(sql: """
                    CREATE TABLE journal_entries (
                        id INTEGER PRIMARY KEY NOT NULL,
                        body TEXT NOT NULL
                    )
                    """)
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [schemaVersion])
            }
            return .commit
        }
    }

    /// Switches the file to WAL mode (so `tune status` reads while the coordinator writes). The
    /// switch needs the file to itself and SQLite answers "database is locked" at once, without
    /// waiting, while another connection is opening it: so it is retried for up to `busyTimeout`.
    private static func useWriteAheadLog(_ database: DatabaseQueue) throws {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let mode = try database.writeWithoutTransaction { db in
                    try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
                guard mode == "wal" else { throw DatabaseError(message: "SQLite cannot use write-ahead logging here (journal mode \(mode ?? "unknown"))") }
                try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(5_000)
            }
        }
    }

    public func append(_ operations: [JournalOperation]) throws(StudyError) {
        guard !operations.isEmpty else { return }
        let bodies = operations.map(JournalEncoding.encode)
        do {
            try database.inTransaction(.immediate) { db in
                let next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id) + 1, 0) FROM journal_entries") ?? 0
                for (offset, body) in bodies.enumerated() {
                    try db.execute(sql: "INSERT INTO journal_entries (id, body) VALUES (?, ?)",
                                   arguments: [next + offset, body])
                }
                return .commit
            }
        } catch {
            throw StudyError(.storage, "\(path): cannot write to the study's journal: \(Self.describe(error))")
        }
    }

    public func read(from index: Int) throws(StudyError) -> [JournalOperation] {
        guard index >= 0 else { throw StudyError(.storage, "\(path): a journal cannot be read from entry \(index)") }
        let rows: [(Int, String)]
        do {
            rows = try database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, body FROM journal_entries WHERE id >= ? ORDER BY id", arguments: [index])
                    .map { row in (row["id"] as Int, row["body"] as String) }
            }
        } catch {
            throw StudyError(.storage, "\(path): cannot read the study's journal: \(Self.describe(error))")
        }
        var operations: [JournalOperation] = []
        for (offset, row) in rows.enumerated() {
            guard row.0 == index + offset else {
                throw StudyError(.corruptJournal, "\(path): journal entry \(index + offset) is missing (the next is \(row.0))")
            }
            operations.append(try JournalEncoding.decode(row.1, index: row.0, source: path))
        }
        return operations
    }

    /// SQLite's own message without GRDB's SQL echo.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error)" }
        return "\(error)"
    }
}
