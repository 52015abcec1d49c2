import ArgumentParser
import Foundation

/// `tune --space FILE --trials N` (or `tune search ...`): runs or resumes a search.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Run or resume the search a search file describes (the default command).",
        discussion: """
            Trials are `tune train` processes, sampled at random or by (asynchronous) successive \
            halving and recorded in Searches/NAME/journal.sqlite. Running the same command again \
            resumes the search: finished trials are kept, interrupted ones continue from their \
            checkpoints, and --trials is the total. Ctrl-C stops launching and lets running trials \
            checkpoint; a second Ctrl-C stops at once.
            """)

    @Option(help: "The search file (JSON).") var space: String
    @Option(help: "Trials in total, counting those the study already has.") var trials = 20
    @Option(help: "Trial processes at once (default: the number of cores).") var parallel: Int?
    @Option(help: "Study seed: trial configurations and training seeds derive from it.") var seed = 0
    @Flag(help: "Start over: move the existing study of this name aside first.") var fresh = false
    @Option(name: .customLong("trial-timeout"), help: "Seconds after which a trial is killed and failed.")
    var trialTimeout: Double?
    @OptionGroup var storageOptions: StorageOptions

    func validate() throws {
        if trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
        if seed < 0 { throw ValidationError("--seed must not be negative, got \(seed)") }
        if let trialTimeout, !(trialTimeout > 0) { throw ValidationError("--trial-timeout must be positive") }
    }

    func run() throws {
        try SearchRun(space: space, trials: trials, parallel: parallel ?? ProcessInfo.processInfo.activeProcessorCount,
                      seed: seed, fresh: fresh, trialTimeout: trialTimeout, storageOptions: storageOptions).run()
    }
}
