import ArgumentParser
import Foundation
import Search

/// `--storage` and the heartbeat settings, shared by `tune search` and `tune worker`.
struct StorageOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where the study's journal lives: postgres://USER@HOST:PORT/DB to share it between machines "
        + "(password from PGPASSWORD or ~/.pgpass, not the command line), or sqlite:PATH. "
        + "Default: Searches/NAME/journal.sqlite.", valueName: "url"))
    var storage: String?
    @Option(name: .customLong("heartbeat-interval"), help: "Seconds between this process's heartbeats.")
    var heartbeatInterval: Double = 10
    @Option(name: .customLong("heartbeat-timeout"),
            help: "Seconds without a heartbeat after which a worker counts as dead and its trials are re-queued.")
    var heartbeatTimeout: Double = 60

    func validate() throws {
        if !(heartbeatInterval > 0) { throw ValidationError("--heartbeat-interval must be positive") }
        if !(heartbeatTimeout > heartbeatInterval) {
            throw ValidationError("--heartbeat-timeout (\(heartbeatTimeout) s) must be longer than --heartbeat-interval (\(heartbeatInterval) s)")
        }
    }

    var interval: Duration { .milliseconds(Int(heartbeatInterval * 1000)) }
    var timeout: Duration { .milliseconds(Int(heartbeatTimeout * 1000)) }
}

extension SearchCoordinator.Options {
    /// The options of `tune --space` and `tune worker`: trials run this binary, the cores are split
    /// evenly between the trials at once, and the heartbeat settings come from the flags.
    static func commandLine(trials: Int?, parallel: Int, studyDirectory: URL, trialTimeout: Double?,
                            storageOptions: StorageOptions) -> Self {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return Self(
            trials: trials, parallel: parallel,
            executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            studyDirectory: studyDirectory, threadsPerTrial: max(1, cores / parallel),
            trialTimeLimit: trialTimeout.map { .milliseconds(Int($0 * 1000)) },
            heartbeatInterval: storageOptions.interval, heartbeatTimeout: storageOptions.timeout)
    }
}
