import ArgumentParser
import Search

/// `tune status NAME`: where a search stands, read from its journal (safe while it runs).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a search's trials by state, its rung table and the best trials so far.")

    @OptionGroup var study: StudyOptions

    func run() throws {
        let loaded = try study.load()
        let definition = try SearchDefinition(document: loaded.snapshot.header.document, source: study.name)
        let scheduler = SearchScheduler(definition: definition, seed: loaded.snapshot.header.seed)
        let budget = study.trials ?? loaded.snapshot.trialBudget ?? loaded.snapshot.trials.count
        print(StudySummary(study: loaded, scheduler: scheduler, trialBudget: budget).text)
    }
}
