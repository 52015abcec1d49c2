import Foundation

/// `--fresh`: the previous study of a name is kept under `NAME.old-YYYYMMDD-HHMMSS`, its trial
/// folder and its journal alike (an SQLite file moved, a PostgreSQL study's rows renamed), and
/// the name starts anew in the same storage. Whatever would refuse is checked before anything moves.
public struct FreshStart: Sendable {
    /// `.old-YYYYMMDD-HHMMSS` (local time), shared by the folder, the SQLite file and the study name.
    public let suffix: String

    /// A fresh start at `date`.
    public init(date: Date = Date()) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        suffix = ".old-" + formatter.string(from: date)
    }

    /// What the journal step does, decided before anything moves.
    private enum JournalMove {
        /// Nothing to move: default storage (the journal is in the folder) or no old journal.
        case none
        /// An SQLite file outside the folder, with its companions.
        case file(from: String, to: String)
        /// A PostgreSQL study, renamed.
        case study(PostgresJournal, to: String)
    }

    /// Moves study `name` aside: its trial folder `directory` to `directory` + suffix and, when
    /// `storage` keeps the journal elsewhere, the journal. Refuses before anything moves when a
    /// new name is taken or the database cannot be reached; when the journal step fails after the
    /// folder moved, the folder moves back. Returns one line per thing moved, for the person.
    public func moveAside(study name: String, directory: URL, storage: StorageLocation?) throws(StudyError) -> [String] {
        let fileManager = FileManager.default
        let folder = directory.standardizedFileURL
        let folderTarget = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + suffix)
        let movesFolder = fileManager.fileExists(atPath: folder.path)
        if movesFolder, fileManager.fileExists(atPath: folderTarget.path) {
            throw StudyError(.storage, "--fresh: \(folderTarget.path) exists already; nothing was moved")
        }
        let journalMove = try plan(study: name, folder: folder, movesFolder: movesFolder, storage: storage)
        defer { if case .study(let journal, _) = journalMove { journal.close() } }

        var lines: [String] = []
        if movesFolder {
            do {
                try fileManager.moveItem(at: folder, to: folderTarget)
            } catch {
                throw StudyError(.storage, "--fresh: cannot move \(folder.path) to \(folderTarget.path): \(error.localizedDescription); nothing was moved")
            }
            lines.append("the previous study's folder is now \(folderTarget.path)")
        }
        do throws(StudyError) {
            switch journalMove {
            case .none:
                break
            case .file(let path, let newPath):
                try SQLiteJournal.moveAside(path: path, to: newPath)
                lines.append("the previous study's journal is now \(newPath) (tune status \(name) --storage sqlite:\(newPath))")
            case .study(let journal, let newName):
                try journal.renameStudy(to: newName)
                lines.append("the previous study is now \"\(newName)\" in \(journal.location.redacted) "
                             + "(tune status \(newName) --storage URL; its trial folders: tune report --directory \(folderTarget.path))")
            }
        } catch {
            if movesFolder { try? fileManager.moveItem(at: folderTarget, to: folder) }
            throw error
        }
        return lines
    }

    /// Checks the journal side and says what to do with it: the new names must be free, and a
    /// PostgreSQL database must answer.
    private func plan(study name: String, folder: URL, movesFolder: Bool, storage: StorageLocation?) throws(StudyError) -> JournalMove {
        switch storage {
        case nil:
            return .none
        case .sqlite(let path):
            let file = URL(fileURLWithPath: path).standardizedFileURL.path
            if movesFolder && file.hasPrefix(folder.path + "/") { return .none }  // it moves with the folder
            let newPath = path + suffix
            return try SQLiteJournal.moves(from: path, to: newPath).isEmpty ? .none : .file(from: path, to: newPath)
        case .postgres(let location):
            let journal = try PostgresJournal(location: location, study: name)
            let newName = name + suffix
            do throws(StudyError) {
                if try journal.studyExists(newName) {
                    throw StudyError(.storage, "--fresh: the study \"\(newName)\" exists already in \(location.redacted); nothing was moved")
                }
                if try journal.studyExists(name) { return .study(journal, to: newName) }
                journal.close()
                return .none
            } catch {
                journal.close()
                throw error
            }
        }
    }
}
