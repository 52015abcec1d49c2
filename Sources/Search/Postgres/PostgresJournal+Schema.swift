import PostgresNIO

extension PostgresJournal {
    /// Serialises creators of the tables (racing `CREATE TABLE IF NOT EXISTS` can fail on
    /// PostgreSQL's catalog); any constant works as long as every tune uses the same one.
    static let schemaLockKey: Int64 = 0x7475_6E65_6A6E_6C31  // "tunejnl1"

    /// Creates `tune_studies` and `tune_journal` unless both exist. Creation needs the CREATE
    /// privilege on the schema once; later users need only SELECT, INSERT and UPDATE.
    func createTablesIfMissing(on connection: PostgresConnection) throws {
        let exists = try run("SELECT to_regclass('tune_studies') IS NOT NULL AND to_regclass('tune_journal') IS NOT NULL",
                             on: connection).rows.first?.decode(Bool.self) ?? false
        if exists { return }
        try run("BEGIN", on: connection)
        do {
            try run("SELECT pg_advisory_xact_lock(\(Self.schemaLockKey))", on: connection)
            try run("""
                CREATE TABLE IF NOT EXISTS tune_studies (
                    study text PRIMARY KEY,
                    next_id bigint NOT NULL
                )
                """, on: connection)
            try run("""
                CREATE TABLE IF NOT EXISTS tune_journal (
                    study text NOT NULL,
                    id bigint NOT NULL,
                    batch uuid NOT NULL,
                    body text NOT NULL,
                    PRIMARY KEY (study, id)
                )
                """, on: connection)
            try run("COMMIT", on: connection)
        } catch {
            rollBack(after: error, on: connection)
            throw error
        }
    }
}
