import ArgumentParser
import Foundation
import TrialProtocol
import Search

/// The study `tune status` and `tune report` read: its name, where its journal is, and the trial
/// budget to measure progress against.
struct StudyOptions: ParsableArguments {
    @Argument(help: "The search name (Searches/NAME/) or the path of its study folder.") var name: String
    @Option(help: "The folder holding search studies.") var searches = "Searches"
    @Option(help: ArgumentHelp("The study's journal when it is not Searches/NAME/journal.sqlite: postgres://USER@HOST:PORT/DB or sqlite:PATH.",
                               valueName: "url"))
    var storage: String?
    @Option(help: "The trial budget to measure progress against (default: the study's).")
    var trials: Int?

    /// The study folder: NAME when it is a path, else Searches/NAME.
    var folder: URL {
        name.contains("/") ? URL(fileURLWithPath: name) : URL(fileURLWithPath: searches).appendingPathComponent(name)
    }

    /// The study: from `storage` when given, else from its folder's SQLite journal.
    func load() throws -> Study {
        if storage != nil {
            let (journal, source) = try StudyStorage.open(storage: storage, studyName: name, studyDirectory: nil)
            return try Study.load(journal: journal, source: source)
        }
        let journalPath = StudyFolder(directory: folder).journal.path
        guard FileManager.default.fileExists(atPath: journalPath) else {
            throw ValidationError("no search study at \(folder.path) (expected \(journalPath))")
        }
        return try Study.load(journal: SQLiteJournal(path: journalPath), source: journalPath)
    }
}
