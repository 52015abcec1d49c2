import Foundation

extension SQLiteJournal {
    /// What SQLite keeps beside a database file: the write-ahead log, its shared-memory index and
    /// a rollback journal. They move with the file, or the moved database would lose commits.
    static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// The moves that would put the journal at `path` (and its companions) at `newPath`, only for
    /// files that exist; refuses, moving nothing, when any target exists already.
    static func moves(from path: String, to newPath: String) throws(StudyError) -> [(from: String, to: String)] {
        let moves = ([""] + companionSuffixes).map { (from: path + $0, to: newPath + $0) }
            .filter { FileManager.default.fileExists(atPath: $0.from) }
        if let taken = moves.first(where: { FileManager.default.fileExists(atPath: $0.to) }) {
            throw StudyError(.storage, "\(taken.to) exists already, so \(path) cannot be moved there; nothing was moved")
        }
        return moves
    }

    /// Moves the journal at `path` (no process may have it open) and its companions to `newPath`,
    /// all or none: after a failed move the files moved so far go back. False when there was none.
    @discardableResult
    public static func moveAside(path: String, to newPath: String) throws(StudyError) -> Bool {
        let planned = try moves(from: path, to: newPath)
        var done: [(from: String, to: String)] = []
        for move in planned {
            do {
                try FileManager.default.moveItem(atPath: move.from, toPath: move.to)
                done.append(move)
            } catch {
                for undo in done.reversed() { try? FileManager.default.moveItem(atPath: undo.to, toPath: undo.from) }
                throw StudyError(.storage, "cannot move \(move.from) to \(move.to): \(error.localizedDescription); nothing was moved")
            }
        }
        return !planned.isEmpty
    }
}
