import Foundation

/// The files of a run's output folder (a trial's `trials/N/run/`, or `tune train --output`).
public struct RunFiles: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The best model so far by the chosen metric: loads into PyTorch with `load_state_dict`.
    public var bestModel: URL { directory.appendingPathComponent("best.safetensors") }
    /// Weights, Adam moments and trainer state after the last finished epoch.
    public var state: URL { directory.appendingPathComponent("state.safetensors") }
    /// One JSON line per finished epoch (`EpochLogFile`).
    public var epochLog: URL { directory.appendingPathComponent("epochs.jsonl") }
    /// The resolved run file the run was started with.
    public var runFile: URL { directory.appendingPathComponent("run.json") }

    /// True when the run has a checkpoint to continue from.
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: state.path) }
}
