import ArgumentParser
import Foundation
import Tensor
import TrialProtocol

/// The `tune` command: finds the best CNN+LSTM detector for network-traffic data. Without a
/// subcommand it runs `search` (`tune --space FILE` is `tune search --space FILE`).
@main
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Find the best CNN+LSTM detector for network-traffic anomaly detection.",
        discussion: "Without a subcommand, tune runs `search`: tune --space Searches/quickstart.json --trials 20",
        subcommands: [SearchCommand.self, TrainCommand.self, PredictCommand.self, DetectCommand.self, StatusCommand.self, ReportCommand.self, BenchCommand.self, WorkerCommand.self],
        defaultSubcommand: SearchCommand.self)

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
        if case .failure(let problem) = BLAS.choice() {
            printError("tune: \(problem)")
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
            // `--help` parses into ArgumentParser's help command, whose run() throws the help request.
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let (message, status) = describe(error)
            printError("tune: " + message)
            Foundation.exit(status)
        }
    }
}
