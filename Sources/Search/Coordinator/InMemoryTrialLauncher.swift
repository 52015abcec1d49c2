import TrialProtocol

/// Trials as a toy objective on a simulated clock, for tests and for measuring schedulers and
/// samplers through the real coordinator loop: a run trains one epoch every `epochSeconds` of
/// simulated time, reports `objective(parameters, trial, epoch)` as the search's metric, and
/// exits when it reaches its target; a NaN ends it as a diverged run does (nothing reported).
/// Events come in simulated-time order (ties by trial number), so a search is reproducible.
///
/// What runs leave behind (their logs, which double as checkpoints) lives in `files`, which can
/// outlive a coordinator: pass the same files to the next launcher to resume as after a kill.
public final class InMemoryTrialLauncher: TrialLauncher {
    public typealias Objective = @Sendable (_ parameters: TrialParameters, _ trialNumber: Int, _ epoch: Int) -> Double
    public typealias EpochSeconds = @Sendable (_ parameters: TrialParameters, _ trialNumber: Int) -> Double

    /// The trials' folders: each one's parameters (its run file) and every epoch its runs
    /// finished (its log and checkpoints).
    public final class Files: @unchecked Sendable {
        var parameters: [Int: TrialParameters] = [:]
        var logs: [Int: [(epoch: Int, metrics: [String: Double])]] = [:]
        public init() {}
    }

    public let metric: String
    public let objective: Objective
    public let epochSeconds: EpochSeconds
    public let files: Files
    public private(set) var now: Double = 0
    /// Simulated seconds runs spent training, summed over runs.
    public private(set) var busySeconds: Double = 0
    /// Epochs trained by this launcher's runs.
    public private(set) var epochsTrained = 0

    private struct Run {
        var trialNumber: Int
        var parameters: TrialParameters
        var nextEpoch: Int
        var targetEpochs: Int
        var epochEnds: Double
        var secondsPerEpoch: Double
        var interrupted = false
    }

    private var runs: [TrialRunID: Run] = [:]
    /// Exits due now, delivered before time moves on.
    private var exits: [TrialEvent] = []
    private var nextRun = 0

    public init(metric: String, files: Files = Files(), objective: @escaping Objective,
                epochSeconds: @escaping EpochSeconds = { _, _ in 1 }) {
        self.metric = metric
        self.files = files
        self.objective = objective
        self.epochSeconds = epochSeconds
    }

    public func launch(_ request: TrialLaunch) throws -> TrialRunID {
        let number = request.trialNumber
        let checkpoint: Int
        switch request.start {
        case .fresh(let chosen, _):
            files.parameters[number] = chosen
            files.logs[number] = []
            checkpoint = 0
        case .fromCheckpoint:
            checkpoint = files.logs[number]?.last?.epoch ?? 0
        }
        let chosen = files.parameters[number] ?? [:]
        let seconds = epochSeconds(chosen, number)
        let run = TrialRunID(value: nextRun)
        nextRun += 1
        runs[run] = Run(trialNumber: number, parameters: chosen, nextEpoch: checkpoint + 1, targetEpochs: request.targetEpochs,
                        epochEnds: now + seconds, secondsPerEpoch: seconds)
        if checkpoint >= request.targetEpochs { finish(run, status: ExitStatus.success) }
        return run
    }

    public func nextEvent(timeout: Double) -> TrialEvent? {
        if !exits.isEmpty { return exits.removeFirst() }
        guard let (id, run) = runs.min(by: { ($0.value.epochEnds, $0.value.trialNumber) < ($1.value.epochEnds, $1.value.trialNumber) }) else {
            now += timeout
            return nil
        }
        busySeconds += Double(runs.count) * (run.epochEnds - now)
        now = run.epochEnds
        let value = objective(run.parameters, run.trialNumber, run.nextEpoch)
        epochsTrained += 1
        if value.isNaN {
            finish(id, status: ExitStatus.diverged, message: "\(metric) is NaN at epoch \(run.nextEpoch)")
            return exits.removeFirst()
        }
        let report = TrialOutputLine.EpochReport(epoch: run.nextEpoch, metrics: [metric: value], seconds: run.secondsPerEpoch)
        files.logs[run.trialNumber, default: []].append((report.epoch, report.metrics))
        if run.nextEpoch >= run.targetEpochs || run.interrupted {
            finish(id, status: run.nextEpoch >= run.targetEpochs ? ExitStatus.success : ExitStatus.interrupted)
        } else {
            runs[id]?.nextEpoch += 1
            runs[id]?.epochEnds += run.secondsPerEpoch
        }
        return .epoch(trial: run.trialNumber, run: id, report: report)
    }

    public func interrupt(_ run: TrialRunID) { runs[run]?.interrupted = true }

    public func terminate(_ run: TrialRunID) {
        runs[run] = nil
        exits.removeAll { $0.run == run }
    }

    public func loggedEpochs(ofTrial number: Int) -> [(epoch: Int, metrics: [String: Double])] {
        files.logs[number] ?? []
    }

    public func hasCheckpoint(trial number: Int) -> Bool { !(files.logs[number] ?? []).isEmpty }

    /// One simulated machine runs one coordinator at a time: every other worker has ended.
    public func hasEnded(worker owner: String) -> Bool { true }

    private func finish(_ id: TrialRunID, status: Int32, message: String = "") {
        guard let run = runs.removeValue(forKey: id) else { return }
        exits.append(.exited(trial: run.trialNumber, run: id, outcome: TrialOutcome(exitStatus: status, stderrTail: message)))
    }
}
