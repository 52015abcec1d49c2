import ArgumentParser
import Foundation
import Search

/// `tune status NAME`: where a search stands, read from its journal (safe while it runs).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a search's trials by state, its rung table and the best trials so far.")

    @Argument(help: "The search name (Searches/NAME/) or the path of its study folder.") var name: String
    @Option(help: "The folder holding search studies.") var searches = "Searches"
    @Option(help: ArgumentHelp("The study's journal when it is not Searches/NAME/journal.sqlite: postgres://USER@HOST:PORT/DB or sqlite:PATH.",
                               valueName: "url"))
    var storage: String?
    @Option(help: "The trial budget to measure progress against (default: the study's).")
    var trials: Int?

    func run() throws {
        let study = try Self.load(name: name, searches: searches, storage: storage)
        let definition = try SearchDefinition(document: study.snapshot.header.document, source: name)
        let scheduler = SearchScheduler(definition: definition, seed: study.snapshot.header.seed)
        let budget = trials ?? study.snapshot.trialBudget ?? study.snapshot.trials.count
        print(StudySummary(study: study, scheduler: scheduler, trialBudget: budget).text)
    }

    /// The study NAME: from `storage` when given, else from its folder's SQLite journal.
    static func load(name: String, searches: String, storage: String?) throws -> Study {
        if storage != nil {
            let (journal, source) = try StudyStorage.open(storage: storage, studyName: name, studyDirectory: nil)
            return try Study.load(journal: journal, source: source)
        }
        let folder = name.contains("/") ? URL(fileURLWithPath: name) : URL(fileURLWithPath: searches).appendingPathComponent(name)
        let journalPath = folder.appendingPathComponent("journal.sqlite").path
        guard FileManager.default.fileExists(atPath: journalPath) else {
            throw ValidationError("no search study at \(folder.path) (expected \(journalPath))")
        }
        return try Study.load(journal: SQLiteJournal(path: journalPath), source: journalPath)
    }
}
