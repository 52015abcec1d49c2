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

    @OptionGroup var study: StudyOptions
    @Option(help: "The folder the report goes into, as OUTPUT/NAME/.") var output = "Reports"
    @Option(help: "The study folder (trial folders) when the study is in --storage (default: the folder it was created with).")
    var directory: String?

    func validate() throws {
        if let trials = study.trials, trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
    }

    func run() throws {
        let loaded = try study.load()
        let folder: URL
        if let directory = directory ?? (study.storage == nil ? nil : loaded.snapshot.header.directory) {
            folder = URL(fileURLWithPath: directory)
        } else {
            folder = study.folder
        }
        let report = try StudyReport(study: loaded, studyDirectory: folder, trialBudget: study.trials)
        let destination = URL(fileURLWithPath: output).appendingPathComponent(loaded.snapshot.header.name)
        try report.write(to: destination)
        print("report written to \(destination.appendingPathComponent("README.md").path)")
    }
}
