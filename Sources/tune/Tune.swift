import ArgumentParser
import Foundation

/// The `tune` command: finds the best CNN+LSTM detector for network-traffic data.
@main
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Find the best CNN+LSTM detector for network-traffic anomaly detection.",
        subcommands: [BenchCommand.self])

    /// Runs the command with the project's exit statuses: 0 success (and --help), 2 for bad input
    /// (arguments, files, settings; one clear line on stderr), 1 for anything else.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data(("tune: " + message + "\n").utf8))
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}
