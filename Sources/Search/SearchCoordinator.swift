import Foundation
import JSONConfig
import Synchronization

/// Runs a search on one machine: asks the scheduler what to do, records each decision in the
/// study's journal before acting on it, runs trials as `tune train` processes (at most
/// `parallel` at once), and records every epoch line they print. This process is the study's only
/// writer on the machine, so SQLite never sees concurrent writers.
///
/// Killing it at any point loses at most the epochs in flight: trials checkpoint every epoch,
/// the next run re-queues trials that were running, recovers epochs a trial logged but the journal
/// missed, and continues them from their checkpoints.
public final class SearchCoordinator {
    /// How the search runs; none of this changes its results (only how fast they come).
    public struct Options: Sendable {
        /// Trials in total, counting those already in the study.
        public var trials: Int
        /// Trial processes at once.
        public var parallel: Int
        public var seed: Int
        /// The `tune` binary that runs trials (`tune train`).
        public var executable: URL
        /// `Searches/NAME/`: journal, trial folders.
        public var studyDirectory: URL
        /// BLAS threads per trial.
        public var threadsPerTrial: Int
        /// A trial running longer than this is killed and failed.
        public var trialTimeLimit: Duration?

        public init(trials: Int, parallel: Int, seed: Int, executable: URL, studyDirectory: URL,
                    threadsPerTrial: Int, trialTimeLimit: Duration? = nil) {
            self.trials = trials
            self.parallel = parallel
            self.seed = seed
            self.executable = executable
            self.studyDirectory = studyDirectory
            self.threadsPerTrial = threadsPerTrial
            self.trialTimeLimit = trialTimeLimit
        }
    }

    /// How a `run` ended.
    public enum Ending: Sendable, Equatable {
        case finished
        case stopped(reason: String)
        case interrupted
    }

    public let definition: SearchDefinition
    public let options: Options
    public private(set) var study: Study
    public let scheduler: SearchScheduler
    private let log: (String) -> Void
    private let worker: String
    private let events = EventQueue()
    private var running: [Int: TrialProcess] = [:]
    private let started = Date()
    private var epochsAtStart = 0

    /// Opens (or creates) the study in `options.studyDirectory`; refuses a changed search file.
    public init(definition: SearchDefinition, options: Options, log: @escaping (String) -> Void) throws {
        self.definition = definition
        self.options = options
        self.log = log
        try FileManager.default.createDirectory(at: options.studyDirectory.appendingPathComponent("trials"),
                                                withIntermediateDirectories: true)
        let journal = try SQLiteJournal(path: options.studyDirectory.appendingPathComponent("journal.sqlite").path)
        study = try Study.open(journal: journal, definition: definition, seed: options.seed,
                               source: options.studyDirectory.appendingPathComponent("journal.sqlite").path)
        scheduler = SearchScheduler(definition: definition, seed: options.seed)
        worker = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// The folder of trial `number`: its run file and its training output.
    public func trialDirectory(_ number: Int) -> URL {
        options.studyDirectory.appendingPathComponent("trials/\(number)")
    }

    /// Runs until the search is finished, stopped by the failure rule, or `stopRequested` says so
    /// (then no new trial starts and running ones finish their epoch, checkpoint and exit).
    public func run(stopRequested: @escaping () -> Bool) throws -> Ending {
        try recoverInterruptedTrials()
        epochsAtStart = study.snapshot.trials.reduce(0) { $0 + $1.epochsTrained }
        if case .stopped = scheduler.status(snapshot: study.snapshot, trialBudget: options.trials) {
            log("the search had stopped on failures; retrying its failed trials")
            try study.requeueFailedTrials()
        }
        var stopping = false
        while true {
            if !stopping && stopRequested() {
                stopping = true
                log("stopping: no new trials; running trials finish their epoch and checkpoint")
            }
            let status = scheduler.status(snapshot: study.snapshot, trialBudget: options.trials)
            if running.isEmpty {
                if stopping { return .interrupted }
                switch status {
                case .finished: return .finished
                case .stopped(let reason): return .stopped(reason: reason)
                case .inProgress: break
                }
            }
            var acted = false
            if !stopping, status == .inProgress {
                let actions = scheduler.nextActions(snapshot: study.snapshot, freeSlots: options.parallel - running.count,
                                                    trialBudget: options.trials)
                for action in actions where try study.record(action, worker: worker) {
                    try carryOut(action)
                    acted = true
                }
            }
            if running.isEmpty && !acted {
                if case .inProgress = scheduler.status(snapshot: study.snapshot, trialBudget: options.trials), !stopping {
                    throw StudyError(.internalInconsistency, "the scheduler has nothing to run although the search is not finished; "
                                     + "this is a bug, please report it with \(options.studyDirectory.path)")
                }
                continue
            }
            if let event = events.next(timeout: .seconds(1)) { try handle(event) }
        }
    }

    // MARK: - Actions

    private func carryOut(_ action: SchedulerAction) throws {
        switch action {
        case .start(let number, let parameters, let targetEpochs):
            try writeRunFile(number: number, parameters: parameters)
            log("trial \(number): start, \(describe(parameters)), to epoch \(targetEpochs)")
            launch(number: number, arguments: ["train", "--config", runFile(number).path,
                                               "--epochs", String(targetEpochs), "--trial", String(number)])
        case .resume(let number, let targetEpochs):
            let trained = study.snapshot.trials.first { $0.number == number }?.epochsTrained ?? 0
            if trained >= targetEpochs {
                try study.append([.setState(number: number, state: .paused, reason: nil)])
                return
            }
            let output = trialDirectory(number).appendingPathComponent("run")
            if FileManager.default.fileExists(atPath: output.appendingPathComponent("state.safetensors").path) {
                log("trial \(number): continue from epoch \(trained) to \(targetEpochs)")
                launch(number: number, arguments: ["train", "--resume", output.path,
                                                   "--epochs", String(targetEpochs), "--trial", String(number)])
            } else {
                let parameters = study.snapshot.trials.first { $0.number == number }?.parameters ?? [:]
                try writeRunFile(number: number, parameters: parameters)
                log("trial \(number): start again (no checkpoint), to epoch \(targetEpochs)")
                launch(number: number, arguments: ["train", "--config", runFile(number).path,
                                                   "--epochs", String(targetEpochs), "--trial", String(number)])
            }
        case .stop(let number, let finalState):
            log("trial \(number): \(finalState.rawValue)")
        }
    }

    private func runFile(_ number: Int) -> URL { trialDirectory(number).appendingPathComponent("run.json") }

    /// The trial's run file: its parameters, the search's data, the search metric, its seed and
    /// threads, and its output folder.
    private func writeRunFile(number: Int, parameters: TrialParameters) throws {
        var members = parameters
        if let data = definition.data { members["data"] = data }
        members["seed"] = .number(Double(SearchRandom.trainingSeed(studySeed: options.seed, trialNumber: number)))
        members["threads"] = .number(Double(options.threadsPerTrial))
        members["metric"] = .string(definition.metric.name)
        members["output"] = .string(trialDirectory(number).appendingPathComponent("run").path)
        try FileManager.default.createDirectory(at: trialDirectory(number), withIntermediateDirectories: true)
        try (JSONValue.object(members).canonicalText + "\n").write(to: runFile(number), atomically: true, encoding: .utf8)
    }

    private func launch(number: Int, arguments: [String]) {
        let process = TrialProcess(executable: options.executable, arguments: arguments,
                                   timeLimit: options.trialTimeLimit)
        running[number] = process
        let events = self.events
        Thread.detachNewThread {
            do {
                let outcome = try process.run { line in events.push(.line(trial: number, text: line)) }
                events.push(.exited(trial: number, outcome: outcome))
            } catch {
                events.push(.exited(trial: number, outcome: TrialProcess.Outcome(
                    exitStatus: nil, signal: nil, timedOut: false, stderrTail: "could not start: \(error)")))
            }
        }
    }

    // MARK: - Events

    private func handle(_ event: TrialEvent) throws {
        switch event {
        case .line(let number, let text):
            guard let report = Self.epochReport(text) else { return }
            let known = study.snapshot.trials.first { $0.number == number }?.epochsTrained ?? 0
            guard report.epoch > known else { return }
            try study.append([.reportEpoch(number: number, epoch: report.epoch, metrics: report.metrics)])
            let value = report.metrics[definition.metric.name].map { String(format: "%.4f", $0) } ?? "-"
            log("trial \(number): epoch \(report.epoch), \(definition.metric.name) \(value)")
        case .exited(let number, let outcome):
            running[number] = nil
            try recoverLoggedEpochs(number)
            defer { log(progress) }
            guard let trial = study.snapshot.trials.first(where: { $0.number == number }), trial.state == .running else { return }
            if let target = trial.targetEpochs, trial.epochsTrained >= target {
                try study.append([.setState(number: number, state: .paused, reason: nil)])
            } else if outcome.exitStatus == 4 {
                // Interrupted by Ctrl-C after checkpointing: back in the queue for the next run.
                try study.append([.setState(number: number, state: .waiting, reason: "interrupted; continues from its last checkpoint")])
            } else {
                let reason = Self.failureReason(outcome, target: trial.targetEpochs, trained: trial.epochsTrained)
                try study.append([.setState(number: number, state: .failed, reason: reason)])
                log("trial \(number): failed: \(reason)")
            }
        }
    }

    /// Epoch lines a trial wrote to its `epochs.jsonl` but the journal lacks (the coordinator was
    /// killed between the two): appended now, so no trained epoch is lost or trained again.
    private func recoverLoggedEpochs(_ number: Int) throws {
        let log = trialDirectory(number).appendingPathComponent("run/epochs.jsonl")
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return }
        var known = study.snapshot.trials.first { $0.number == number }?.epochsTrained ?? 0
        var operations: [JournalOperation] = []
        for line in text.split(separator: "\n") {
            guard case .object(let members)? = try? JSONValue.parse(Data(line.utf8), source: log.path),
                  case .number(let epoch)? = members["epoch"], Int(epoch) == known + 1 else { continue }
            operations.append(.reportEpoch(number: number, epoch: Int(epoch), metrics: Self.flatMetrics(members)))
            known += 1
        }
        try study.append(operations)
    }

    /// At start-up no trial process of this machine can be alive: running trials go back to the
    /// queue (after recovering their logged epochs) and continue from their checkpoints.
    private func recoverInterruptedTrials() throws {
        for trial in study.snapshot.trials(in: .running) { try recoverLoggedEpochs(trial.number) }
        try study.requeueRunningTrials()
    }

    /// A protocol line `{"epoch": e, "metrics": {...}}`, or nil for any other line.
    static func epochReport(_ text: String) -> (epoch: Int, metrics: [String: Double])? {
        guard case .object(let members)? = try? JSONValue.parse(Data(text.utf8), source: "trial output"),
              case .number(let epoch)? = members["epoch"], case .object(let metrics)? = members["metrics"] else { return nil }
        var values: [String: Double] = [:]
        for (name, value) in metrics {
            if case .number(let number) = value { values[name] = number }
        }
        return (Int(epoch), values)
    }

    /// The scalar metrics of one `epochs.jsonl` entry, under the protocol's flat names.
    static func flatMetrics(_ members: [String: JSONValue]) -> [String: Double] {
        var values: [String: Double] = [:]
        for (key, value) in members {
            switch (key, value) {
            case ("train_loss", .number(let number)), ("val_loss", .number(let number)), ("test_loss", .number(let number)):
                values[key] = number
            case ("lr", .number(let number)):
                values["lr"] = number
            case ("validation", .object(let metrics)), ("test", .object(let metrics)):
                let prefix = key == "validation" ? "val" : "test"
                for (name, metric) in metrics {
                    if case .number(let number) = metric { values["\(prefix)_\(name)"] = number }
                }
            default:
                continue
            }
        }
        return values
    }

    static func failureReason(_ outcome: TrialProcess.Outcome, target: Int?, trained: Int) -> String {
        let tail = outcome.stderrTail.split(separator: "\n").suffix(3).joined(separator: " | ")
        let cause: String
        if outcome.timedOut {
            cause = "exceeded its time limit"
        } else if let signal = outcome.signal {
            cause = "killed by signal \(signal)"
        } else if outcome.exitStatus == 3 {
            cause = "diverged (NaN or infinite loss)"
        } else if outcome.exitStatus == 0 {
            cause = "exited after \(trained) of \(target ?? 0) epochs"
        } else {
            cause = "exit status \(outcome.exitStatus ?? -1)"
        }
        return tail.isEmpty ? cause : "\(cause); stderr: \(tail)"
    }

    /// One line of where the search stands: trials finished, running and failed, the best so
    /// far, and a rough time left from the average trial process so far.
    var progress: String {
        let snapshot = study.snapshot
        let finished = snapshot.trials.filter { $0.state.isFinished }.count
        let failed = snapshot.trials(in: .failed).count
        var line = "progress: \(finished) of \(options.trials) trials finished, \(running.count) running, \(failed) failed"
        if let best = snapshot.bestTrial(by: definition.metric), let value = best.bestValue(of: definition.metric) {
            line += String(format: "; best %@ %.4f (trial %d)", definition.metric.name, value, best.number)
        }
        let elapsed = Date().timeIntervalSince(started)
        let epochsDone = snapshot.trials.reduce(0) { $0 + $1.epochsTrained } - epochsAtStart
        if epochsDone > 0, finished < options.trials {
            let remainingTrials = options.trials - finished
            let epochsPerTrial = Double(snapshot.trials.reduce(0) { $0 + $1.epochsTrained }) / Double(max(snapshot.trials.count, 1))
            let seconds = elapsed / Double(epochsDone) * epochsPerTrial * Double(remainingTrials)
            line += seconds < 120 ? String(format: "; about %.0f s left", seconds) : String(format: "; about %.0f min left", seconds / 60)
        }
        return line
    }

    private func describe(_ parameters: TrialParameters) -> String {
        parameters.keys.sorted().compactMap { key in parameters[key].map { "\(key)=\($0.canonicalText)" } }
            .joined(separator: " ")
    }
}

/// What trial threads tell the coordinator.
enum TrialEvent: Sendable {
    case line(trial: Int, text: String)
    case exited(trial: Int, outcome: TrialProcess.Outcome)
}

/// A thread-safe queue the coordinator waits on.
final class EventQueue: Sendable {
    private let items = Mutex<[TrialEvent]>([])
    private let signal = DispatchSemaphore(value: 0)

    func push(_ event: TrialEvent) {
        items.withLock { $0.append(event) }
        signal.signal()
    }

    /// The next event, or nil after `timeout`.
    func next(timeout: Duration) -> TrialEvent? {
        let (seconds, attoseconds) = timeout.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        guard signal.wait(timeout: deadline) == .success else { return nil }
        return items.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
