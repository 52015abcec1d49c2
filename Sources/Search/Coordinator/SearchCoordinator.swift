import Foundation
import TrialProtocol

/// Runs a search's trials on one machine: asks the scheduler what to do, records each decision in
/// the study's journal before acting on it, runs trials through its launcher (at most `parallel`
/// at once), and records every epoch they report. This process is the study's only writer on its
/// machine; several machines (workers) may share one study through PostgreSQL.
///
/// Claims are atomic (the first claim in the journal wins), every worker writes a heartbeat, and
/// the trials of a worker that stopped sending them go back to the queue and continue from their
/// last checkpoint on whichever worker claims them (`SearchCoordinator+Liveness`).
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
        /// Trials at once.
        public var parallel: Int
        /// How often this process writes its heartbeat.
        public var heartbeatInterval: Duration
        /// A worker without a new heartbeat for this long is dead; its trials are re-queued.
        public var heartbeatTimeout: Duration
        /// This coordinator's name in the journal; unique per process (`WorkerName.current`).
        public var worker: String

        public init(trials: Int?, parallel: Int, heartbeatInterval: Duration = .seconds(10),
                    heartbeatTimeout: Duration = .seconds(60), worker: String = WorkerName.current.description) {
            self.trials = trials
            self.parallel = parallel
            self.heartbeatInterval = heartbeatInterval
            self.heartbeatTimeout = heartbeatTimeout
            self.worker = worker
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
    public internal(set) var study: Study
    public let scheduler: SearchScheduler
    public let launcher: any TrialLauncher
    /// Called after a trial finished or paused at a rung, with the study as it is then (reports).
    public var onTrialEnded: ((Study) -> Void)?
    let log: (String) -> Void
    /// This process's name in the journal.
    public var worker: String { options.worker }
    /// The runs this worker has going, by trial.
    var running: [Int: TrialRunID] = [:]
    var liveness: WorkerLiveness
    var lastHeartbeat: Double?
    let progress: SearchProgress

    /// Runs `study` (opened or created by the caller) with `definition`, its search file, through
    /// `launcher`; `scheduler` defaults to the one the search file asks for.
    public init(study: Study, definition: SearchDefinition, options: Options, launcher: any TrialLauncher,
                scheduler: SearchScheduler? = nil, log: @escaping (String) -> Void) {
        self.definition = definition
        self.options = options
        self.log = log
        self.study = study
        self.launcher = launcher
        self.scheduler = scheduler ?? SearchScheduler(definition: definition, seed: study.snapshot.header.seed)
        liveness = WorkerLiveness(timeout: options.heartbeatTimeout.inSeconds)
        progress = SearchProgress(metric: definition.metric, startedAt: launcher.now)
    }

    /// The trial budget: the one this coordinator was given, else the study's, else the trials so far.
    public var trialBudget: Int {
        options.trials ?? study.snapshot.trialBudget ?? study.snapshot.trials.count
    }

    /// Runs until the search is finished, stopped by the failure rule, or `stopRequested` says so
    /// (then no new trial starts and running ones finish their epoch, checkpoint and exit).
    public func run(stopRequested: @escaping () -> Bool = { false }) throws -> Ending {
        try writeHeartbeat()
        if let trials = options.trials, study.snapshot.trialBudget != trials {
            try study.append([.setTrialBudget(trials: trials)])
        }
        try recoverTrialsOfEndedWorkers()
        progress.start(snapshot: study.snapshot)
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
                for run in running.values { launcher.interrupt(run) }
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
            // What was just recorded (a stop, a start) can give the free workers more to do at once.
            if acted && running.count < options.parallel { continue }
            if running.isEmpty {
                let othersRunning = study.snapshot.trials.contains { $0.state == .running }
                if !othersRunning, !stopping, case .inProgress = scheduler.status(snapshot: study.snapshot, trialBudget: trialBudget) {
                    throw StudyError(.internalInconsistency, "the scheduler has nothing to run although the search is not finished; "
                                     + "this is a bug, please report it with the study's journal (\(study.snapshot.header.name))")
                }
                if !othersRunning { continue }
            }
            if let event = launcher.nextEvent(timeout: 1) { try handle(event) }
        }
    }

    // MARK: - Actions

    private func carryOut(_ action: SchedulerAction) throws {
        switch action {
        case .start(let number, let parameters, let targetEpochs):
            log("trial \(number): start, \(describe(parameters)), to epoch \(targetEpochs)")
            try launch(number, .fresh(parameters: parameters, seed: trainingSeed(number)), targetEpochs: targetEpochs)
        case .resume(let number, let targetEpochs):
            // Epochs its last run logged after its journal stopped listening (that worker was
            // declared dead) come first: the run continues from its checkpoint after them.
            try recoverLoggedEpochs(number, owner: worker)
            let trial = study.snapshot.trials[number]
            if trial.epochsTrained >= targetEpochs {
                try study.append([.setState(number: number, state: .paused, reason: nil, worker: worker)])
                return
            }
            if launcher.hasCheckpoint(trial: number) {
                log("trial \(number): continue from epoch \(trial.epochsTrained) to \(targetEpochs)")
                try launch(number, .fromCheckpoint, targetEpochs: targetEpochs)
            } else {
                log("trial \(number): start again (no checkpoint), to epoch \(targetEpochs)")
                try launch(number, .fresh(parameters: trial.parameters, seed: trainingSeed(number)), targetEpochs: targetEpochs)
            }
        case .stop(let number, let finalState):
            log("trial \(number): \(finalState.rawValue)")
        case .reopen(let number):
            log("trial \(number): its rung is open again (more trials); paused, it may still be promoted")
        }
    }

    private func launch(_ number: Int, _ start: TrialLaunch.Start, targetEpochs: Int) throws {
        running[number] = try launcher.launch(TrialLaunch(trialNumber: number, start: start, targetEpochs: targetEpochs))
    }

    private func trainingSeed(_ number: Int) -> Int {
        SearchRandom.trainingSeed(studySeed: study.snapshot.header.seed, trialNumber: number)
    }

    // MARK: - Events

    private func handle(_ event: TrialEvent) throws {
        switch event {
        case .epoch(let number, let run, let report):
            guard running[number] == run else { return }
            // Only while the journal still gives this worker the trial (read just now).
            try study.refresh()
            let trial = study.snapshot.trials[number]
            guard trial.state == .running, trial.worker == worker, report.epoch > trial.epochsTrained else { return }
            try study.append([.reportEpoch(number: number, epoch: report.epoch, metrics: report.metrics, worker: worker)])
            progress.note(trial: number, metrics: report.metrics)
            let value = report.metrics[definition.metric.name].map { String(format: "%.4f", $0) } ?? "-"
            log("trial \(number): epoch \(report.epoch), \(definition.metric.name) \(value)")
        case .exited(let number, let run, let outcome):
            guard running[number] == run else { return }  // abandoned: another worker owns it now
            running[number] = nil
            try recoverLoggedEpochs(number, owner: worker)
            defer { log(progress.line(snapshot: study.snapshot, trialBudget: trialBudget, running: running.count, now: launcher.now)) }
            let trial = study.snapshot.trials[number]
            guard trial.state == .running, trial.worker == worker else { return }
            if let target = trial.targetEpochs, trial.epochsTrained >= target {
                try study.append([.setState(number: number, state: .paused, reason: nil, worker: worker)])
            } else if outcome.exitStatus == ExitStatus.interrupted || outcome.signal == SIGINT {
                // Interrupted by Ctrl-C after checkpointing (or before the trial could handle it):
                // back in the queue for the next run, from its last checkpoint.
                try study.append([.setState(number: number, state: .waiting, reason: "interrupted; continues from its last checkpoint",
                                            worker: worker)])
            } else {
                let reason = outcome.failureReason(target: trial.targetEpochs, trained: trial.epochsTrained)
                try study.append([.setState(number: number, state: .failed, reason: reason, worker: worker)])
                log("trial \(number): failed: \(reason)")
            }
            onTrialEnded?(study)
        }
    }

    /// Epochs a trial logged but the journal lacks (the coordinator was killed between the two,
    /// or a worker declared dead trained on): appended now on behalf of `owner`'s claim (ignored
    /// if the trial has moved on since), so no trained epoch is lost or trained again, and no gap
    /// stays in its curve.
    func recoverLoggedEpochs(_ number: Int, owner: String) throws {
        guard number < study.snapshot.trials.count else { return }
        let logged = launcher.loggedEpochs(ofTrial: number)
        guard !logged.isEmpty else { return }
        try study.append(EpochRecovery.operations(trial: study.snapshot.trials[number], logged: logged, owner: owner))
        for entry in logged { progress.note(trial: number, metrics: entry.metrics) }
    }

    private func describe(_ parameters: TrialParameters) -> String {
        parameters.keys.sorted().compactMap { key in parameters[key].map { "\(key)=\($0.canonicalText)" } }
            .joined(separator: " ")
    }
}
