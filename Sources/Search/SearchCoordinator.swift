import Foundation
import FileFormats
import Synchronization

/// Runs a search's trials on one machine: asks the scheduler what to do, records each decision in
/// the study's journal before acting on it, runs trials as `tune train` processes (at most
/// `parallel` at once), and records every epoch line they print. This process is the study's only
/// writer on its machine; several machines (workers) may share one study through PostgreSQL.
///
/// Claims are atomic (the first claim in the journal wins), every worker writes a heartbeat, and
/// the trials of a worker that stopped sending them go back to the queue and continue from their
/// last checkpoint on whichever worker claims them.
///
/// Killing it at any point loses at most the epochs in flight: trials checkpoint every epoch,
/// the next run re-queues trials that were running, recovers epochs a trial logged but the journal
/// missed, and continues them from their checkpoints.
public final class SearchCoordinator {
    /// How the search runs; none of this changes its results (only how fast they come).
    public struct Options: Sendable {
        /// Trials in total, counting those already in the study; nil for a worker that joins a
        /// study and runs to the budget its coordinator set.
        public var trials: Int?
        /// Trial processes at once.
        public var parallel: Int
        /// The `tune` binary that runs trials (`tune train`).
        public var executable: URL
        /// `Searches/NAME/`: trial folders (and the SQLite journal). Shared by all workers.
        public var studyDirectory: URL
        /// BLAS threads per trial.
        public var threadsPerTrial: Int
        /// A trial running longer than this is killed and failed.
        public var trialTimeLimit: Duration?
        /// How often this process writes its heartbeat.
        public var heartbeatInterval: Duration
        /// A worker without a new heartbeat for this long is dead; its trials are re-queued.
        public var heartbeatTimeout: Duration

        public init(trials: Int?, parallel: Int, executable: URL, studyDirectory: URL,
                    threadsPerTrial: Int, trialTimeLimit: Duration? = nil,
                    heartbeatInterval: Duration = .seconds(10), heartbeatTimeout: Duration = .seconds(60)) {
            self.trials = trials
            self.parallel = parallel
            self.executable = executable
            self.studyDirectory = studyDirectory
            self.threadsPerTrial = threadsPerTrial
            self.trialTimeLimit = trialTimeLimit
            self.heartbeatInterval = heartbeatInterval
            self.heartbeatTimeout = heartbeatTimeout
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
    /// Called after a trial finished or paused at a rung, with the study as it is then (reports).
    public var onTrialEnded: ((Study) -> Void)?
    private let log: (String) -> Void
    /// This process's name in the journal (`WorkerName.current`).
    public let worker: String
    private let events = EventQueue()
    private var running: [Int: TrialProcess] = [:]
    private var liveness: WorkerLiveness
    private var lastHeartbeat: ContinuousClock.Instant?
    private let clock = ContinuousClock()
    private let clockOrigin = ContinuousClock.now
    private let started = Date()
    private var epochsAtStart = 0

    /// Runs `study` (opened or created by the caller) with `definition`, its search file.
    public init(study: Study, definition: SearchDefinition, options: Options, log: @escaping (String) -> Void) throws {
        self.definition = definition
        self.options = options
        self.log = log
        self.study = study
        try FileManager.default.createDirectory(at: options.studyDirectory.appendingPathComponent("trials"),
                                                withIntermediateDirectories: true)
        scheduler = SearchScheduler(definition: definition, seed: study.snapshot.header.seed)
        worker = WorkerName.current.description
        liveness = WorkerLiveness(timeout: Self.seconds(options.heartbeatTimeout))
    }

    /// The trial budget: the one this coordinator was given, else the study's, else the trials so far.
    public var trialBudget: Int {
        options.trials ?? study.snapshot.trialBudget ?? study.snapshot.trials.count
    }

    /// The folder of trial `number`: its run file and its training output.
    public func trialDirectory(_ number: Int) -> URL {
        options.studyDirectory.appendingPathComponent("trials/\(number)")
    }

    /// Runs until the search is finished, stopped by the failure rule, or `stopRequested` says so
    /// (then no new trial starts and running ones finish their epoch, checkpoint and exit).
    public func run(stopRequested: @escaping () -> Bool) throws -> Ending {
        try writeHeartbeat()
        if let trials = options.trials, study.snapshot.trialBudget != trials {
            try study.append([.setTrialBudget(trials: trials)])
        }
        try recoverTrialsOfGoneProcesses()
        epochsAtStart = study.snapshot.trials.reduce(0) { $0 + $1.epochsTrained }
        if options.trials != nil, case .stopped = scheduler.status(snapshot: study.snapshot, trialBudget: trialBudget) {
            log("the search had stopped on failures; retrying its failed trials")
            try study.requeueFailedTrials()
        }
        var stopping = false
        while true {
            if !stopping && stopRequested() {
                stopping = true
                log("stopping: no new trials; running trials finish their epoch and checkpoint")
                // Trial processes run in process groups of their own, so a terminal's Ctrl-C
                // reached only this process: pass it on.
                for process in running.values { process.interrupt() }
            }
            try study.refresh()
            try writeHeartbeatIfDue()
            try requeueTrialsOfDeadWorkers()
            abandonLostClaims()
            let status = scheduler.status(snapshot: study.snapshot, trialBudget: trialBudget)
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
                                                    trialBudget: trialBudget)
                for action in actions where try study.record(action, worker: worker) {
                    try carryOut(action)
                    acted = true
                }
            }
            if running.isEmpty && !acted {
                let othersRunning = study.snapshot.trials.contains { $0.state == .running }
                if !othersRunning, !stopping, case .inProgress = scheduler.status(snapshot: study.snapshot, trialBudget: trialBudget) {
                    throw StudyError(.internalInconsistency, "the scheduler has nothing to run although the search is not finished; "
                                     + "this is a bug, please report it with \(options.studyDirectory.path)")
                }
                if !othersRunning { continue }
            }
            if let event = events.next(timeout: .seconds(1)) { try handle(event) }
        }
    }

    // MARK: - Liveness

    private func writeHeartbeat() throws {
        try study.append([.heartbeat(worker: worker, time: Date().timeIntervalSince1970)])
        lastHeartbeat = clock.now
    }

    private func writeHeartbeatIfDue() throws {
        if let last = lastHeartbeat, clock.now - last < options.heartbeatInterval { return }
        try writeHeartbeat()
    }

    /// Trials claimed by processes of this machine that no longer exist (a coordinator killed
    /// before this one started): re-queued at once, after recovering the epochs they logged.
    private func recoverTrialsOfGoneProcesses() throws {
        for trial in study.snapshot.trials(in: .running) {
            guard let owner = trial.worker, owner != worker, WorkerName(owner)?.isGoneFromThisMachine ?? false else { continue }
            try requeue(trial.number, from: owner, reason: "interrupted; continues from its last checkpoint")
        }
    }

    /// Trials of workers whose heartbeat stopped for `heartbeatTimeout`: back in the queue, to
    /// continue from their last checkpoint on whichever worker claims them.
    private func requeueTrialsOfDeadWorkers() throws {
        let now = Self.seconds(clock.now - clockOrigin)
        let dead = liveness.deadWorkers(in: study.snapshot, me: worker, now: now)
        guard !dead.isEmpty else { return }
        for trial in study.snapshot.trials(in: .running) {
            guard let owner = trial.worker, dead.contains(owner) else { continue }
            let timeout = Int(Self.seconds(options.heartbeatTimeout))
            log("trial \(trial.number): worker \(owner) sent no heartbeat for \(timeout) s; back in the queue")
            try requeue(trial.number, from: owner, reason: "worker \(owner) stopped sending heartbeats; continues from its last checkpoint")
        }
    }

    private func requeue(_ number: Int, from owner: String, reason: String) throws {
        try recoverLoggedEpochs(number, owner: owner)
        try study.append([.setState(number: number, state: .waiting, reason: reason, worker: owner)])
    }

    /// Trials this process runs that the journal no longer gives it (another worker declared it
    /// dead and re-queued them): their processes are stopped, so no trial ever runs twice at once.
    private func abandonLostClaims() {
        for (number, process) in running {
            let trial = study.snapshot.trials[number]
            guard trial.state != .running || trial.worker != worker else { continue }
            log("trial \(number): no longer claimed by this worker (re-queued by another); stopping its process")
            process.terminate()
            running[number] = nil
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
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
            // Epochs its last process logged after its journal stopped listening (that worker was
            // declared dead) come first: the run continues from its checkpoint after them.
            try recoverLoggedEpochs(number, owner: worker)
            let trained = study.snapshot.trials.first { $0.number == number }?.epochsTrained ?? 0
            if trained >= targetEpochs {
                try study.append([.setState(number: number, state: .paused, reason: nil, worker: worker)])
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
        case .reopen(let number):
            log("trial \(number): its rung is open again (more trials); paused, it may still be promoted")
        }
    }

    private func runFile(_ number: Int) -> URL { trialDirectory(number).appendingPathComponent("run.json") }

    /// The trial's run file: its parameters, the search's data, the search metric, its seed and
    /// threads, and its output folder.
    private func writeRunFile(number: Int, parameters: TrialParameters) throws {
        var members = parameters
        if let data = definition.data { members["data"] = data }
        let seed = SearchRandom.trainingSeed(studySeed: study.snapshot.header.seed, trialNumber: number)
        members["seed"] = .number(Double(seed))
        members["threads"] = .number(Double(options.threadsPerTrial))
        members["metric"] = .string(definition.metric.name)
        members["output"] = .string(trialDirectory(number).appendingPathComponent("run").path)
        try FileManager.default.createDirectory(at: trialDirectory(number), withIntermediateDirectories: true)
        try (JSONValue.object(members).canonicalText + "\n").write(to: runFile(number), atomically: true, encoding: .utf8)
    }

    private func launch(number: Int, arguments: [String]) {
        let process = TrialProcess(executable: options.executable, arguments: arguments,
                                   environment: Self.trialEnvironment, timeLimit: options.trialTimeLimit)
        running[number] = process
        let events = self.events
        let identity = ObjectIdentifier(process)
        Thread.detachNewThread {
            do {
                let outcome = try process.run { line in events.push(.line(trial: number, process: identity, text: line)) }
                events.push(.exited(trial: number, process: identity, outcome: outcome))
            } catch {
                events.push(.exited(trial: number, process: identity, outcome: TrialProcess.Outcome(
                    exitStatus: nil, signal: nil, timedOut: false, stderrTail: "could not start: \(error)")))
            }
        }
    }

    // MARK: - Events

    private func handle(_ event: TrialEvent) throws {
        switch event {
        case .line(let number, let identity, let text):
            guard isCurrent(identity, trial: number), let report = Self.epochReport(text) else { return }
            // Only while the journal still gives this worker the trial (read just now).
            try study.refresh()
            let trial = study.snapshot.trials[number]
            guard trial.state == .running, trial.worker == worker, report.epoch > trial.epochsTrained else { return }
            try study.append([.reportEpoch(number: number, epoch: report.epoch, metrics: report.metrics, worker: worker)])
            let value = report.metrics[definition.metric.name].map { String(format: "%.4f", $0) } ?? "-"
            log("trial \(number): epoch \(report.epoch), \(definition.metric.name) \(value)")
        case .exited(let number, let identity, let outcome):
            guard isCurrent(identity, trial: number) else { return }  // abandoned: another worker owns it now
            running[number] = nil
            try recoverLoggedEpochs(number, owner: worker)
            defer { log(progress) }
            guard let trial = study.snapshot.trials.first(where: { $0.number == number }),
                  trial.state == .running, trial.worker == worker else { return }
            if let target = trial.targetEpochs, trial.epochsTrained >= target {
                try study.append([.setState(number: number, state: .paused, reason: nil, worker: worker)])
            } else if outcome.exitStatus == 4 || outcome.signal == SIGINT {
                // Interrupted by Ctrl-C after checkpointing (or before the trial could handle it):
                // back in the queue for the next run, from its last checkpoint.
                try study.append([.setState(number: number, state: .waiting, reason: "interrupted; continues from its last checkpoint",
                                            worker: worker)])
            } else {
                let reason = Self.failureReason(outcome, target: trial.targetEpochs, trained: trial.epochsTrained)
                try study.append([.setState(number: number, state: .failed, reason: reason, worker: worker)])
                log("trial \(number): failed: \(reason)")
            }
            onTrialEnded?(study)
        }
    }

    /// This process's environment without the database password: a trial never needs it.
    static var trialEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "PGPASSWORD" }
    }

    /// True when `identity` is the process this worker runs trial `number` in (not an abandoned one).
    private func isCurrent(_ identity: ObjectIdentifier, trial number: Int) -> Bool {
        running[number].map { ObjectIdentifier($0) == identity } ?? false
    }

    /// Epoch lines a trial wrote to its `epochs.jsonl` but the journal lacks (the coordinator was
    /// killed between the two, or a worker declared dead trained on): appended now on behalf of
    /// `owner`'s claim (ignored if the trial has moved on since), so no trained epoch is lost or
    /// trained again, and no gap stays in its curve.
    private func recoverLoggedEpochs(_ number: Int, owner: String) throws {
        let log = trialDirectory(number).appendingPathComponent("run/epochs.jsonl")
        guard let text = try? String(contentsOf: log, encoding: .utf8),
              let trial = study.snapshot.trials.first(where: { $0.number == number }) else { return }
        var logged: [Int: [String: Double]] = [:]
        for line in text.split(separator: "\n") {
            guard case .object(let members)? = try? JSONValue.parse(Data(line.utf8), source: log.path),
                  case .number(let epoch)? = members["epoch"], let whole = Int(exactly: epoch), whole >= 1 else { continue }
            logged[whole] = Self.flatMetrics(members)
        }
        let entries = logged.keys.sorted().compactMap { epoch in logged[epoch].map { (epoch: epoch, metrics: $0) } }
        try study.append(EpochRecovery.operations(trial: trial, logged: entries, owner: owner))
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
        var line = "progress: \(finished) of \(trialBudget) trials finished, \(running.count) running, \(failed) failed"
        if let best = snapshot.bestTrial(by: definition.metric), let value = best.bestValue(of: definition.metric) {
            line += String(format: "; best %@ %.4f (trial %d)", definition.metric.name, value, best.number)
        }
        let elapsed = Date().timeIntervalSince(started)
        let epochsDone = snapshot.trials.reduce(0) { $0 + $1.epochsTrained } - epochsAtStart
        if epochsDone > 0, finished < trialBudget {
            let remainingTrials = trialBudget - finished
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

/// What trial threads tell the coordinator, naming the process they come from.
enum TrialEvent: Sendable {
    case line(trial: Int, process: ObjectIdentifier, text: String)
    case exited(trial: Int, process: ObjectIdentifier, outcome: TrialProcess.Outcome)
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
