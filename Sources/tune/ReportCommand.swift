import ArgumentParser
import Foundation
import Reports
import Search

/// `tune report NAME`: writes (or rewrites) a search's report from its study, safe while it runs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a search's report: Reports/NAME/ with README.md, CSV tables, SVG plots and the best model.",
        discussion: """
            Reads the study in Searches/NAME/ (journal and trial folders) and writes README.md \
            (what was searched, leaderboard, variants, successive-halving rungs, the best trial's \
            per-class results, failed trials), leaderboard.csv, trials.csv, epochs.csv, SVG plots \
            and best.safetensors. Every file is replaced atomically. A search writes its report \
            after every finished trial; this command regenerates it.
            """)

    @Argument(help: "The search name (Searches/NAME/) or the path of its study folder.") var name: String
    @Option(help: "The folder holding search studies.") var searches = "Searches"
    @Option(help: "The folder the report goes into, as OUTPUT/NAME/.") var output = "Reports"
    @Option(help: ArgumentHelp("The study's journal when it is not Searches/NAME/journal.sqlite: postgres://USER@HOST:PORT/DB or sqlite:PATH.",
                               valueName: "url"))
    var storage: String?
    @Option(help: "The study folder (trial folders) when the study is in --storage (default: the folder it was created with).")
    var directory: String?
    @Option(help: "The trial budget to report progress against (default: the study's).")
    var trials: Int?

    func validate() throws {
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
    }

    func run() throws {
        let study = try StatusCommand.load(name: name, searches: searches, storage: storage)
        let folder: URL
        if let directory = directory ?? (storage == nil ? nil : study.snapshot.header.directory) {
            folder = URL(fileURLWithPath: directory)
        } else {
            folder = name.contains("/") ? URL(fileURLWithPath: name) : URL(fileURLWithPath: searches).appendingPathComponent(name)
        }
        let report = try StudyReport(study: study, studyDirectory: folder, trialBudget: trials)
        let destination = URL(fileURLWithPath: output).appendingPathComponent(study.snapshot.header.name)
        try report.write(to: destination)
        print("report written to \(destination.appendingPathComponent("README.md").path)")
    }
}
