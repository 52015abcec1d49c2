import ArgumentParser
import Foundation
import TrialProtocol
import Search

/// Opens a study's journal from `--storage`: SQLite in the study folder by default, an SQLite file
/// (`sqlite:PATH` or a path), or a PostgreSQL database shared by workers on many machines.
enum StudyStorage {
    /// The journal of study `name`, and how to name it in messages (never with a password).
    static func open(storage: String?, studyName name: String, studyDirectory: URL?) throws -> (journal: any JournalBackend, source: String) {
        guard let storage else {
            guard let studyDirectory else { throw ValidationError("--storage is required") }
            try FileManager.default.createDirectory(at: studyDirectory, withIntermediateDirectories: true)
            let path = StudyFolder(directory: studyDirectory).journal.path
            return (try SQLiteJournal(path: path), path)
        }
        switch try StorageLocation(parsing: storage) {
        case .sqlite(let path):
            return (try SQLiteJournal(path: path), path)
        case .postgres(let location):
            let journal = try PostgresJournal(location: location, study: name)
            return (journal, journal.description)
        }
    }
}
