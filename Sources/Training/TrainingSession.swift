import FlowData
import Foundation
import FileFormats
import TrialProtocol

/// One `tune train` invocation: reads the run file (with command-line overrides), loads the data,
/// trains or continues a run in its output folder, and says how it ended. The output folder keeps
/// `run.json` (the resolved run file) so `--resume` needs nothing else.
public final class TrainingSession {
    /// How a session ended, for the last protocol line and the exit status.
    public enum Outcome: Sendable, Equatable {
        case complete
        case interrupted
    }

    public let trainer: Trainer
    public let prepared: PreparedData
    public let runFile: String
    /// Whether the data came from the prepared-dataset cache (nil: no cache was asked for).
    public let dataCacheUse: PreparedDatasetCache.Use?
    private let lock: RunFolderLock

    private init(trainer: Trainer, prepared: PreparedData, dataCacheUse: PreparedDatasetCache.Use?, runFile: String,
                 lock: RunFolderLock) {
        self.trainer = trainer
        self.prepared = prepared
        self.dataCacheUse = dataCacheUse
        self.runFile = runFile
        self.lock = lock
    }

    /// A new run from `configPath`, with `overrides` (run-file keys) replacing its values.
    /// The output folder is `overrides["output"]`, the file's `output`, or `runs/<file name>`.
    /// The data comes through `dataCache` when one is given.
    public static func start(configPath: String, overrides: [String: JSONValue],
                             dataCache: PreparedDatasetCache? = nil) throws -> TrainingSession {
        guard case .object(var members) = try JSONValue.read(path: configPath) else {
            throw JSONFileError(source: configPath, field: nil, message: "must be a JSON object")
        }
        for (key, value) in overrides { members[key] = value }
        let configuration = try RunConfiguration.parse(.object(members), source: configPath)
        let output = configuration.output
            ?? "runs/" + URL(fileURLWithPath: configPath).deletingPathExtension().lastPathComponent
        let files = RunFiles(directory: URL(fileURLWithPath: output))
        try FileManager.default.createDirectory(at: files.directory, withIntermediateDirectories: true)
        let lock = try RunFolderLock(directory: files.directory)
        let (data, prepared, cacheUse) = try configuration.loadTrainingData(source: configPath, cache: dataCache)
        var model = configuration.model
        model.inputChannels = data.train.channels
        model.classCount = data.classNames.count
        let trainer = try Trainer(model: model, options: configuration.options, data: data, files: files)
        members["output"] = .string(output)
        try writeRunFile(.object(members), to: files.runFile)
        return TrainingSession(trainer: trainer, prepared: prepared, dataCacheUse: cacheUse, runFile: configPath, lock: lock)
    }

    /// Continues the run in `directory` to `epochs` in total (or its own target), reloading the data
    /// its `run.json` describes.
    public static func resume(directory: String, epochs: Int?, threads: Int?,
                              dataCache: PreparedDatasetCache? = nil) throws -> TrainingSession {
        let files = RunFiles(directory: URL(fileURLWithPath: directory))
        let runFile = files.runFile.path
        guard FileManager.default.fileExists(atPath: runFile) else {
            throw TrainingError.checkpoint("\(directory): not a run folder (no run.json); start it with `tune train --config`")
        }
        let lock = try RunFolderLock(directory: files.directory)
        let configuration = try RunConfiguration.read(path: runFile)
        let (data, prepared, cacheUse) = try configuration.loadTrainingData(source: runFile, cache: dataCache)
        let trainer = try Trainer(resuming: files, data: data, epochs: epochs, threads: threads)
        return TrainingSession(trainer: trainer, prepared: prepared, dataCacheUse: cacheUse, runFile: runFile, lock: lock)
    }

    /// Trains until done or until `shouldStop` says so after an epoch.
    public func run(shouldStop: () -> Bool, onEpoch: (EpochMetrics) throws -> Void) throws -> Outcome {
        let log = try EpochLogWriter(url: trainer.files.epochLog)
        try trainer.run(shouldStop: shouldStop) { metrics in
            try log.append(metrics)
            try onEpoch(metrics)
        }
        return trainer.completedEpochs >= trainer.options.epochs ? .complete : .interrupted
    }

    private static func writeRunFile(_ document: JSONValue, to url: URL) throws {
        try (document.canonicalText + "\n").write(to: url, atomically: true, encoding: .utf8)
    }
}

/// An exclusive lock on a run folder, held while a process trains in it: a second `tune train`
/// on the same folder (a coordinator restarted while an orphaned trial of the old one still
/// exits) waits for the first to end instead of both writing the same checkpoint.
final class RunFolderLock {
    private let descriptor: Int32

    init(directory: URL) throws {
        let path = directory.appendingPathComponent(".lock").path
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TrainingError.checkpoint("\(path): cannot open the run folder's lock: \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw TrainingError.checkpoint("\(path): cannot lock the run folder: \(String(cString: strerror(errno)))")
            }
        }
    }

    deinit {
        close(descriptor)  // releases the lock
    }
}

/// Appends one JSON line per epoch to `epochs.jsonl`, cutting lines of epochs a resumed run
/// repeats (none, when continuation starts from the last checkpoint, which is the usual case).
final class EpochLogWriter {
    private let url: URL
    private let encoder: JSONEncoder

    init(url: URL) throws {
        self.url = url
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if !FileManager.default.fileExists(atPath: url.path) {
            try Data().write(to: url)
        }
    }

    func append(_ metrics: EpochMetrics) throws {
        let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var lines = existing.split(separator: "\n").map(String.init)
        // Keep only lines of earlier epochs: a crash between checkpoint and log leaves no gap.
        lines = lines.filter { line in
            guard let data = line.data(using: .utf8),
                  let earlier = try? JSONDecoder().decode(EpochMetrics.self, from: data) else { return false }
            return earlier.epoch < metrics.epoch
        }
        lines.append(String(decoding: try encoder.encode(metrics), as: UTF8.self))
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }
}
