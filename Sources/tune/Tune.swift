import ArgumentParser
import Foundation

/// The `tune` command: finds the best CNN+LSTM detector for network-traffic data. Without a
/// subcommand it runs (or resumes) the search a search file describes.
@main
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Find the best CNN+LSTM detector for network-traffic anomaly detection.",
        discussion: """
            tune --space Searches/quickstart.json --trials 20 runs a search: trials are `tune train`             processes, sampled at random or by (asynchronous) successive halving, recorded in             Searches/NAME/journal.sqlite. Running the same command again resumes it: finished trials             are kept, interrupted ones continue from their checkpoints, and --trials is the total.
            """,
        subcommands: [TrainCommand.self, PredictCommand.self, StatusCommand.self, BenchCommand.self])

    @Option(help: "The search file (JSON).") var space: String?
    @Option(help: "Trials in total, counting those the study already has.") var trials = 20
    @Option(help: "Trial processes at once (default: the number of cores).") var parallel: Int?
    @Option(help: "Study seed: trial configurations and training seeds derive from it.") var seed = 0
    @Flag(help: "Start over: move the existing study of this name aside first.") var fresh = false
    @Option(name: .customLong("trial-timeout"), help: "Seconds after which a trial is killed and failed.")
    var trialTimeout: Double?

    func validate() throws {
        if trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
        if seed < 0 { throw ValidationError("--seed must not be negative, got \(seed)") }
        if let trialTimeout, !(trialTimeout > 0) { throw ValidationError("--trial-timeout must be positive") }
    }

    func run() throws {
        guard let space else {
            print(Self.helpMessage())
            return
        }
        try SearchRun(space: space, trials: trials, parallel: parallel ?? ProcessInfo.processInfo.activeProcessorCount,
                      seed: seed, fresh: fresh, trialTimeout: trialTimeout).run()
    }

    /// Runs the command with the project's exit statuses (see `ExitStatus`): 0 success (and
    /// --help), 2 for bad input with one clear line on stderr, 3 diverged, 1 for anything else.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            printError("tune: " + fullMessage(for: error))
            Foundation.exit(ExitStatus.badInput)
        }
        do {
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as ValidationError {
            printError("tune: \(error.message)")
            Foundation.exit(ExitStatus.badInput)
        } catch {
            let (message, status) = describe(error)
            printError("tune: " + message)
            Foundation.exit(status)
        }
    }
}
