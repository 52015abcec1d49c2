import PostgresNIO

extension PostgresJournal {
    /// True when the database holds rows of study `name` (its counter or any entry).
    public func studyExists(_ name: String) throws(StudyError) -> Bool {
        try withConnection(while: "look up the study \(name)") { connection, _ in
            try self.exists(name, on: connection)
        }
    }

    /// Renames this journal's study to `newName` (`--fresh`): its counter row and all its entries,
    /// in one transaction, so readers see either the old name or the new one, and `newName` can be
    /// read like any study. Refuses, changing nothing, when `newName` is taken. False when the
    /// study had nothing to rename. The journal itself keeps its name, now that of an empty study.
    @discardableResult
    public func renameStudy(to newName: String) throws(StudyError) -> Bool {
        guard !newName.isEmpty, newName != study else {
            throw StudyError(.internalInconsistency, "\(description): cannot rename the study to \"\(newName)\"")
        }
        let renamed = try withConnection(while: "rename the study \(study) to \(newName)") { connection, isRetry -> Bool? in
            try self.retryingSerializationFailures {
                try self.renameTransaction(to: newName, isRetry: isRetry, on: connection)
            }
        }
        guard let renamed else {
            throw StudyError(.storage, "\(location.redacted): the study \"\(newName)\" exists already; study \"\(study)\" was not renamed")
        }
        return renamed
    }

    /// The rename: takes the counter row first (waiting for appends in flight, holding off new
    /// ones), checks `newName` is free, moves the rows. Nil when `newName` is taken. A retry after
    /// a lost connection whose first attempt committed finds the rows already moved.
    private func renameTransaction(to newName: String, isRetry: Bool, on connection: PostgresConnection) throws -> Bool? {
        try run("BEGIN ISOLATION LEVEL READ COMMITTED", on: connection)
        do {
            let counter = try run("SELECT next_id FROM tune_studies WHERE study = \(study) FOR UPDATE", on: connection).rows.first
            let hasEntries = try run("SELECT EXISTS (SELECT 1 FROM tune_journal WHERE study = \(study))",
                                     on: connection).rows.first?.decode(Bool.self) ?? false
            let taken = try exists(newName, on: connection)
            if counter == nil && !hasEntries {
                try run("ROLLBACK", on: connection)
                return isRetry && taken ? true : false
            }
            if taken {
                try run("ROLLBACK", on: connection)
                return nil
            }
            try run("UPDATE tune_journal SET study = \(newName) WHERE study = \(study)", on: connection)
            try run("UPDATE tune_studies SET study = \(newName) WHERE study = \(study)", on: connection)
            try run("COMMIT", on: connection)
            return true
        } catch {
            rollBack(after: error, on: connection)
            throw error
        }
    }

    /// True when study `name` has a counter row or an entry.
    private func exists(_ name: String, on connection: PostgresConnection) throws -> Bool {
        try run("""
            SELECT EXISTS (SELECT 1 FROM tune_studies WHERE study = \(name))
                OR EXISTS (SELECT 1 FROM tune_journal WHERE study = \(name))
            """, on: connection).rows.first?.decode(Bool.self) ?? false
    }
}
