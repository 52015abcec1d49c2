import ArgumentParser
import Foundation
import Search
import Tensor
import TrialProtocol

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
    /// The options of `tune --space` and `tune worker`: the heartbeat settings come from the flags.
    static func commandLine(trials: Int?, parallel: Int, storageOptions: StorageOptions) -> Self {
        Self(trials: trials, parallel: parallel, heartbeatInterval: storageOptions.interval,
             heartbeatTimeout: storageOptions.timeout)
    }
}

extension ProcessTrialLauncher {
    /// Trials of `tune --space` and `tune worker`: they run this binary with `threadsPerTrial`.
    static func commandLine(definition: SearchDefinition, studyDirectory: URL, parallel: Int,
                            trialTimeout: Double?) throws -> ProcessTrialLauncher {
        try ProcessTrialLauncher(
            executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            folder: StudyFolder(directory: studyDirectory), data: definition.data, metric: definition.metric.name,
            threadsPerTrial: threadsPerTrial(parallel: parallel), threadsAlone: threadsPerTrial(parallel: 1),
            timeLimit: trialTimeout.map { .milliseconds(Int($0 * 1000)) })
    }

    /// The BLAS threads of each trial: the cores split evenly between the trials at once where
    /// results do not depend on the thread count (our own kernels); one each on OpenBLAS, whose
    /// results do, so that `--parallel` can never change a trial's result.
    static func threadsPerTrial(parallel: Int) -> Int {
        BLAS.useOwnKernels ? max(1, ProcessInfo.processInfo.activeProcessorCount / parallel) : 1
    }
}
