import ArgumentParser
import Foundation
import FileFormats
import Search

/// `tune bench coordinator --space FILE --trials N`: the coordinator's own time per trial as a
/// study grows to N trials, on the storage a search would use. Trials are a toy objective in
/// memory (no training), so the study it leaves is a real one that `tune status` and
/// `tune report` read.
struct BenchCoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Time the search coordinator itself (decide, append, refresh) on a large study.",
        discussion: """
            Runs the search file's study in Searches/NAME-coordinator-bench/ (or --storage) with \
            trials that train nothing: each reports a made-up learning curve at once. Prints one JSON \
            line per block of --block trials with the wall time per trial, then a summary line.
            """)

    @Option(help: "The search file.") var space: String
    @Option(help: "Trials in total.") var trials = 10_000
    @Option(help: "Trials at once.") var parallel = 2
    @Option(help: "Trials per reported block.") var block = 1000
    @Option(help: "The study seed.") var seed = 0
    @OptionGroup var storageOptions: StorageOptions

    func validate() throws {
        if trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if parallel < 1 { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
        if block < 1 { throw ValidationError("--block must be at least 1, got \(block)") }
    }

    func run() throws {
        var definition = try SearchDefinition.read(path: space)
        definition.name += "-coordinator-bench"
        let studyDirectory = URL(fileURLWithPath: space).deletingLastPathComponent().appendingPathComponent(definition.name)
        try FileManager.default.createDirectory(at: studyDirectory, withIntermediateDirectories: true)
        let (journal, source) = try StudyStorage.open(storage: storageOptions.storage, studyName: definition.name,
                                                      studyDirectory: studyDirectory)
        let study = try Study.open(journal: journal, definition: definition, seed: seed, source: source,
                                   directory: studyDirectory.standardizedFileURL.path)
        let started = Date()
        let blocks = try CoordinatorBenchmark(definition: definition, trials: trials, parallel: parallel, blockSize: block).run(study: study)
        for block in blocks {
            print(JSONValue.object([
                "trials": .string("\(block.firstTrial)-\(block.lastTrial)"),
                "ms_per_trial": .number((block.millisecondsPerTrial * 1000).rounded() / 1000),
            ]).canonicalText)
        }
        let perTrial = blocks.map(\.millisecondsPerTrial)
        print(JSONValue.object([
            "study": .string(definition.name), "journal": .string(source), "trials": .number(Double(trials)),
            "seconds": .number((Date().timeIntervalSince(started) * 1000).rounded() / 1000),
            "max_ms_per_trial": .number(((perTrial.max() ?? 0) * 1000).rounded() / 1000),
        ]).canonicalText)
    }
}
