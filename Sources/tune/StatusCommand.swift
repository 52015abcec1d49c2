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
    @Option(help: "The trial budget to measure progress against (default: the trials created so far).")
    var trials: Int?

    func run() throws {
        let folder = name.contains("/") ? URL(fileURLWithPath: name) : URL(fileURLWithPath: searches).appendingPathComponent(name)
        let journalPath = folder.appendingPathComponent("journal.sqlite").path
        guard FileManager.default.fileExists(atPath: journalPath) else {
            throw ValidationError("no search study at \(folder.path) (expected \(journalPath))")
        }
        let study = try Study.load(journal: SQLiteJournal(path: journalPath), source: journalPath)
        let definition = try SearchDefinition(document: study.snapshot.header.document, source: journalPath)
        let scheduler = SearchScheduler(definition: definition, seed: study.snapshot.header.seed)
        print(StudySummary(study: study, scheduler: scheduler, trialBudget: trials ?? study.snapshot.trials.count).text)
    }
}
