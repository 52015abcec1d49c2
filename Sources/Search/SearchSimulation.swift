/// Runs a search on a toy objective with made-up durations through the real journal, study and
/// scheduler: the coordinator's loop without processes or clocks. Tests use it to check
/// determinism and resumption; it also measures how long workers sit idle under each method.
public struct SearchSimulation: Sendable {
    public var scheduler: SearchScheduler
    public var workers: Int
    public var trialBudget: Int
    /// The metric of trial `trialNumber` with `parameters` after `epoch` epochs; NaN makes the
    /// trial fail at that epoch.
    public var objective: @Sendable (_ parameters: TrialParameters, _ trialNumber: Int, _ epoch: Int) -> Double
    /// Seconds one epoch of the trial takes.
    public var epochSeconds: @Sendable (_ parameters: TrialParameters, _ trialNumber: Int) -> Double

    public init(scheduler: SearchScheduler, workers: Int, trialBudget: Int,
                objective: @escaping @Sendable (TrialParameters, Int, Int) -> Double,
                epochSeconds: @escaping @Sendable (TrialParameters, Int) -> Double = { _, _ in 1 }) {
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

    private struct Job {
        var trialNumber: Int
        var parameters: TrialParameters
        var nextEpoch: Int
        var targetEpochs: Int
        var epochEnds: Double
        var secondsPerEpoch: Double
    }

    /// Runs the search in `study` (resuming whatever it holds, as a restarted coordinator does)
    /// until it is finished or stopped, or until `appendLimit` journal appends were made.
    public func run(study: inout Study, appendLimit: Int? = nil) throws(StudyError) -> Result {
        var appends = 0
        var now = 0.0, busy = 0.0
        var epochs = 0
        var jobs: [Job] = []
        let metricName = scheduler.definition.metric.name
        let worker = "simulation"

        func allowed() -> Bool { appendLimit.map { appends < $0 } ?? true }
        func result(_ interrupted: Bool) -> Result {
            Result(snapshot: study.snapshot, status: scheduler.status(snapshot: study.snapshot, trialBudget: trialBudget),
                   interrupted: interrupted, elapsedSeconds: now, busyWorkerSeconds: busy, epochsTrained: epochs, workers: workers)
        }

        if !study.snapshot.trials(in: .running).isEmpty {
            guard allowed() else { return result(true) }
            try study.requeueRunningTrials()
            appends += 1
        }
        while true {
            let actions = scheduler.nextActions(snapshot: study.snapshot, freeSlots: workers - jobs.count, trialBudget: trialBudget)
            if !actions.isEmpty {
                var askAgain = false  // only a trial paused on the spot can make new work at once
                for action in actions {
                    guard allowed() else { return result(true) }
                    try study.record(action, worker: worker)
                    appends += 1
                    guard action.needsWorker else { continue }
                    let trial = study.snapshot.trials[action.trialNumber]
                    let target = trial.targetEpochs ?? 0
                    // The checkpoint a run continues from: the last epoch that did not diverge.
                    let checkpoint = trial.reports.last { $0.metrics[metricName]?.isNaN == false }?.epoch ?? 0
                    if checkpoint >= target {  // reached its target before an interruption
                        guard allowed() else { return result(true) }
                        try study.append([.setState(number: trial.number, state: .paused, reason: nil)])
                        appends += 1
                        askAgain = true
                        continue
                    }
                    let seconds = epochSeconds(trial.parameters, trial.number)
                    jobs.append(Job(trialNumber: trial.number, parameters: trial.parameters, nextEpoch: checkpoint + 1,
                                    targetEpochs: target, epochEnds: now + seconds, secondsPerEpoch: seconds))
                }
                if askAgain || jobs.isEmpty { continue }
            }
            guard let next = jobs.indices.min(by: { (jobs[$0].epochEnds, jobs[$0].trialNumber) < (jobs[$1].epochEnds, jobs[$1].trialNumber) }) else {
                break  // nothing runs and nothing can start: the search is over
            }
            busy += Double(jobs.count) * (jobs[next].epochEnds - now)
            now = jobs[next].epochEnds
            var job = jobs[next]
            let value = objective(job.parameters, job.trialNumber, job.nextEpoch)
            guard allowed() else { return result(true) }
            try study.append([.reportEpoch(number: job.trialNumber, epoch: job.nextEpoch, metrics: [metricName: value])])
            appends += 1
            epochs += 1
            if value.isNaN || job.nextEpoch >= job.targetEpochs {
                guard allowed() else { return result(true) }
                let state: TrialState = value.isNaN ? .failed : .paused
                try study.append([.setState(number: job.trialNumber, state: state, reason: value.isNaN ? "\(metricName) is NaN" : nil)])
                appends += 1
                jobs.remove(at: next)
            } else {
                job.nextEpoch += 1
                job.epochEnds += job.secondsPerEpoch
                jobs[next] = job
            }
        }
        return result(false)
    }
}
