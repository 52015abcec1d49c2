import ArgumentParser
import Dispatch
import Foundation
import FileFormats
import FlowData
import NN
import Training
import TrialProtocol

/// `tune train`: one training run, on its own or as a search trial.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one model from a run file, or continue a run.",
        discussion: """
            The run file is a flat JSON object (see DESIGN.md): `data` says what to train on, \
            `output` where results go (default runs/<run file name>), every other key is a \
            hyperparameter. Flags override the file's values.

            stdout gets one JSON line per epoch ({"epoch": 3, "metrics": {...}}) and a last line \
            with the status; the output folder gets best.safetensors (the best model by --metric, \
            loadable in PyTorch), state.safetensors (everything needed to continue exactly), \
            epochs.jsonl and run.json.

            Ctrl-C stops after the current epoch, once its checkpoint is written; a second Ctrl-C \
            stops at once. Exit status: 0 done, 2 bad input, 3 diverged (NaN loss), \
            4 interrupted (resume with --resume), 1 anything else.
            """)

    @Option(help: "The run file (JSON).") var config: String?
    @Option(help: "Continue the run in this output folder instead of starting one.") var resume: String?
    @Option(help: "Train until this many epochs in total.") var epochs: Int?
    @Option(help: "Output folder.") var output: String?
    @Option(help: "Model variant: lstm, bilstm or attention.") var variant: ModelConfiguration.Variant?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(name: .customLong("batch-size"), help: "Mini-batch size.") var batchSize: Int?
    @Option(help: "Seed of initialisation, shuffling and dropout (the validation split has its own data.split_seed).") var seed: Int?
    @Option(help: "BLAS threads.") var threads: Int?
    @Option(help: "Metric that picks the best checkpoint, e.g. val_f1_macro, val_loss.") var metric: String?
    @Option(help: "Trial number to put in each JSON line (set by the search coordinator).") var trial: Int?
    @Option(name: .customLong("thread-requests"),
            help: "A file whose number, whenever it changes, sets the BLAS threads from the next batch on (set by the search coordinator; ignored on OpenBLAS).")
    var threadRequests: String?
    @Flag(name: .customLong("no-data-cache"),
          help: "Parse the data files instead of mapping a prepared dataset from the cache ($TUNE_DATA_CACHE, else ~/.cache/tune/datasets).")
    var noDataCache = false
    /// `tune bench startup` times exec to the first training step with this: exit 0 right before it.
    @Flag(name: .customLong("exit-before-first-step"), help: ArgumentHelp(visibility: .hidden))
    var exitBeforeFirstStep = false

    func validate() throws {
        if (config == nil) == (resume == nil) {
            throw ValidationError("give either --config RUN.json (a new run) or --resume FOLDER (continue one)")
        }
        let setUpFlags: [Any?] = [variant, lr, batchSize, seed, metric, output]
        if resume != nil, setUpFlags.contains(where: { $0 != nil }) {
            throw ValidationError("--resume continues a run as it was set up; only --epochs and --threads may change")
        }
    }

    /// The flags as run-file keys.
    var overrides: [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        if let epochs { values["epochs"] = .number(Double(epochs)) }
        if let output { values["output"] = .string(output) }
        if let variant { values["variant"] = .string(variant.rawValue) }
        if let lr { values["lr"] = .number(lr) }
        if let batchSize { values["batch_size"] = .number(Double(batchSize)) }
        if let seed { values["seed"] = .number(Double(seed)) }
        if let threads { values["threads"] = .number(Double(threads)) }
        if let metric { values["metric"] = .string(metric) }
        return values
    }

    func run() throws {
        if trial != nil { ParentWatch.exitWhenOrphaned() }
        let stop = StopRequest(message: "stopping after this epoch (its checkpoint is kept); Ctrl-C again to stop now")
        let session: TrainingSession
        let dataCache = noDataCache ? nil : PreparedDatasetCache.standard()
        if let resume {
            session = try TrainingSession.resume(directory: resume, epochs: epochs, threads: threads, dataCache: dataCache)
        } else if let config {
            session = try TrainingSession.start(configPath: config, overrides: overrides, dataCache: dataCache)
        } else {
            throw ValidationError("give --config or --resume")
        }
        let protocolWriter = ProtocolWriter(trial: trial)
        reportData(session)
        let trainer = session.trainer
        trainer.threadRequests = threadRequests.map { URL(fileURLWithPath: $0) }
        if exitBeforeFirstStep { trainer.beforeFirstStep = { Foundation.exit(0) } }
        if stderrIsTerminal {
            trainer.onBatch = { done, total in
                let width = 30
                let filled = total > 0 ? done * width / total : width
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                FileHandle.standardError.write(Data("\repoch \(trainer.completedEpochs + 1)/\(trainer.options.epochs) [\(bar)] \(done)/\(total)".utf8))
            }
        }
        let outcome: TrainingSession.Outcome
        do {
            outcome = try session.run(shouldStop: { stop.requested }) { metrics in
                protocolWriter.write(.epoch(.init(epoch: metrics.epoch, metrics: metrics.flat, seconds: metrics.seconds)))
                if stderrIsTerminal {
                    printError(String(format: "\repoch %d/%d  train loss %.4f  val loss %.4f  %@ %.4f  %.1f s",
                                      metrics.epoch, trainer.options.epochs, metrics.trainLoss, metrics.validationLoss,
                                      trainer.options.metric, metrics.value(of: trainer.options.metric) ?? .nan,
                                      metrics.seconds))
                }
            }
        } catch let error as TrainingError {
            if case .diverged(let epoch, let message) = error {
                protocolWriter.write(.status("diverged", details: ["epoch": .number(Double(epoch)), "message": .string(message)]))
            }
            throw error
        }
        let summary: [String: JSONValue] = [
            "epochs": .number(Double(trainer.completedEpochs)),
            "metric": .string(trainer.options.metric),
            "best_metric": trainer.bestMetric.map(JSONValue.number) ?? .null,
            "best_epoch": trainer.bestEpoch.map { .number(Double($0)) } ?? .null,
            "checkpoint": .string(trainer.files.bestModel.path),
        ]
        switch outcome {
        case .complete:
            protocolWriter.write(.status("complete", details: summary))
        case .interrupted:
            protocolWriter.write(.status("interrupted", details: summary))
            throw ExitCode(ExitStatus.interrupted)
        }
    }

    /// What the data layer did, on stderr: sizes, classes and rows dropped.
    private func reportData(_ session: TrainingSession) {
        let prepared = session.prepared
        var line = "data: \(prepared.train.count) training, \(prepared.validation.count) validation"
        if let test = prepared.test { line += ", \(test.count) test" }
        line += " samples of \(prepared.train.channels) x \(prepared.train.length); \(prepared.classNames.count) classes"
        printError(line)
        if let use = session.dataCacheUse { printError("data: \(use)") }
        for summaryLine in prepared.summary.lines { printError("data: " + summaryLine) }
    }
}

/// Ctrl-C handling: the first SIGINT asks the work to stop at the next safe point (printing
/// `message`), the second exits at once.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private let source: DispatchSourceSignal

    init(message: String) {
        signal(SIGINT, SIG_IGN)
        // A queue of its own, so the handler runs even when the global queue's threads are all
        // blocked (its width is the core count).
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "tune.stop-request"))
        source.setEventHandler { [unowned self] in
            let presses = self.lock.withLock { () -> Int in self.count += 1; return self.count }
            if presses == 1 {
                printError("tune: " + message)
            } else {
                Foundation.exit(ExitStatus.stoppedAtOnce)
            }
        }
        source.resume()
    }

    var requested: Bool { lock.withLock { count > 0 } }
}

/// A trial process ends when its coordinator dies (even by kill -9): otherwise it would train on
/// beside the trial the restarted coordinator resumes. Checked every 200 ms.
enum ParentWatch {
    static func exitWhenOrphaned() {
        let parent = getppid()
        Thread.detachNewThread {
            while true {
                if getppid() != parent { Foundation.exit(ExitStatus.interrupted) }
                usleep(200_000)
            }
        }
    }
}

/// Writes the trial protocol (`TrialOutputLine`) to stdout, unbuffered so the coordinator sees
/// each epoch as it ends.
struct ProtocolWriter {
    let trial: Int?

    func write(_ line: TrialOutputLine) {
        FileHandle.standardOutput.write(Data((line.text(trial: trial) + "\n").utf8))
    }
}
