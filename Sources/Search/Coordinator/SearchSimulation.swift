import Foundation
import Synchronization

/// A search on a toy objective with made-up durations, run by the real coordinator loop through an
/// `InMemoryTrialLauncher` and the real journal, study and scheduler. Tests use it to check
/// determinism and resumption; it also measures how long workers sit idle under each method.
public struct SearchSimulation: Sendable {
    public var scheduler: SearchScheduler
    public var workers: Int
    public var trialBudget: Int
    /// The metric of trial `trialNumber` with `parameters` after `epoch` epochs; NaN makes the
    /// trial diverge at that epoch.
    public var objective: InMemoryTrialLauncher.Objective
    /// Seconds one epoch of the trial takes.
    public var epochSeconds: InMemoryTrialLauncher.EpochSeconds

    public init(scheduler: SearchScheduler, workers: Int, trialBudget: Int,
                objective: @escaping InMemoryTrialLauncher.Objective,
                epochSeconds: @escaping InMemoryTrialLauncher.EpochSeconds = { _, _ in 1 }) {
        self.scheduler = scheduler
        self.workers = workers
        self.trialBudget = trialBudget
        self.objective = objective
        self.epochSeconds = epochSeconds
    }

    public struct Result: Sendable {
        public var snapshot: StudySnapshot
        public var status: SearchStatus
        /// True when the run stopped at `appendLimit` (a simulated kill of the coordinator).
        public var interrupted: Bool
        /// Simulated seconds from the start to the last trial's end.
        public var elapsedSeconds: Double
        /// Worker-seconds spent training.
        public var busyWorkerSeconds: Double
        /// Worker-seconds with nothing to run: workers * elapsed - busy.
        public var idleWorkerSeconds: Double { Double(workers) * elapsedSeconds - busyWorkerSeconds }
        /// Epochs trained in this run (a resumed run counts only its own).
        public var epochsTrained: Int
        public var workers: Int
        /// The share of worker time spent idle.
        public var idleFraction: Double { elapsedSeconds > 0 ? idleWorkerSeconds / (Double(workers) * elapsedSeconds) : 0 }
    }

    /// Runs the search in `study` (resuming whatever it holds, as a restarted coordinator does)
    /// until it is finished or stopped, or until `appendLimit` journal appends were made (a kill).
    /// `files` are the trials' folders: pass the ones of an earlier run to continue from its
    /// checkpoints, as a restarted coordinator does.
    public func run(study: inout Study, appendLimit: Int? = nil,
                    files: InMemoryTrialLauncher.Files = InMemoryTrialLauncher.Files()) throws(StudyError) -> Result {
        let launcher = InMemoryTrialLauncher(metric: scheduler.definition.metric.name, files: files,
                                             objective: objective, epochSeconds: epochSeconds)
        var interrupted = false
        do {
            let running = try appendLimit.map { try Study.load(journal: AppendLimitedJournal(study.journal, limit: $0)) } ?? study
            let coordinator = SearchCoordinator(
                study: running, definition: scheduler.definition,
                options: .init(trials: trialBudget, parallel: workers, worker: "simulation-\(Self.runNumber())"),
                launcher: launcher, scheduler: scheduler, log: { _ in })
            _ = try coordinator.run()
        } catch let error as StudyError where error == AppendLimitedJournal.kill {
            interrupted = true
        } catch let error as StudyError {
            throw error
        } catch {
            throw StudyError(.internalInconsistency, "\(error)")
        }
        try study.refresh()  // the coordinator appended to the same journal
        return Result(snapshot: study.snapshot, status: scheduler.status(snapshot: study.snapshot, trialBudget: trialBudget),
                      interrupted: interrupted, elapsedSeconds: launcher.now, busyWorkerSeconds: launcher.busySeconds,
                      epochsTrained: launcher.epochsTrained, workers: workers)
    }

    /// A distinct worker name for every run, as every restarted coordinator process has.
    private static func runNumber() -> Int {
        counter.withLock { value in
            value += 1
            return value
        }
    }

    private static let counter = Mutex(0)
}

/// A journal that fails every append after the first `limit`: the coordinator is killed there.
final class AppendLimitedJournal: JournalBackend, @unchecked Sendable {
    static let kill = StudyError(.storage, "simulated kill of the coordinator")
    private let base: any JournalBackend
    private let lock = NSLock()
    private var remaining: Int

    init(_ base: any JournalBackend, limit: Int) {
        self.base = base
        remaining = limit
    }

    func append(_ operations: [JournalOperation]) throws(StudyError) {
        let allowed = lock.withLock { () -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        guard allowed else { throw Self.kill }
        try base.append(operations)
    }

    func read(from index: Int) throws(StudyError) -> [JournalOperation] {
        try base.read(from: index)
    }
}
