import Foundation

/// The `tune` arguments that run a trial: a fresh run from its run file, or the continuation of
/// its run from the checkpoint in its output folder. `tune train` declares the same options.
public enum TrialCommandLine {
    /// `tune train --config RUN.json --epochs E --trial N --thread-requests FILE`.
    public static func start(runFile: URL, epochs: Int, trial: Int, threadRequests: URL) -> [String] {
        ["train", "--config", runFile.path, "--epochs", String(epochs), "--trial", String(trial),
         "--thread-requests", threadRequests.path]
    }

    /// `tune train --resume FOLDER --epochs E --trial N --thread-requests FILE`.
    public static func resume(run: RunFiles, epochs: Int, trial: Int, threadRequests: URL) -> [String] {
        ["train", "--resume", run.directory.path, "--epochs", String(epochs), "--trial", String(trial),
         "--thread-requests", threadRequests.path]
    }
}
