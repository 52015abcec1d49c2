import PostgresNIO

extension PostgresJournal {
    /// Runs one statement written by tune itself (never user input) on the journal's connection
    /// and returns the first column of its first row as text: for tests and diagnostics, e.g.
    /// `scalar("SELECT pg_backend_pid()::text")`.
    @discardableResult
    func scalar(_ sql: String) throws(StudyError) -> String? {
        try withConnection(while: "run a statement") { connection, _ in
            try self.run(PostgresQuery(unsafeSQL: sql), on: connection).rows.first?.decode(String?.self)
        }
    }
}
