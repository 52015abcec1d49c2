import Foundation
import FileFormats
import TrialProtocol

/// Runs trials as `tune train` child processes in the study's folder (`StudyFolder`): writes a
/// fresh run's run file, starts `tune train --config` or `--resume` (`TrialCommandLine`), reads
/// its stdout protocol lines on threads of their own, and kills it when its time limit runs out.
/// A trial running alone gets `threadsAlone` threads, given back when another starts
/// (`ThreadRequest`).
public final class ProcessTrialLauncher: TrialLauncher {
    /// The `tune` binary.
    public let executable: URL
    public let folder: StudyFolder
    /// The search file's `data` object, copied into every run file.
    public let data: JSONValue?
    /// The search's metric: picks each run's best checkpoint.
    public let metric: String
    /// BLAS threads per trial.
    public let threadsPerTrial: Int
    /// BLAS threads of a trial running alone (the ASHA tail): every core where the thread count
    /// cannot change a result, else `threadsPerTrial`.
    public let threadsAlone: Int
    /// A run longer than this is killed (and fails).
    public let timeLimit: Duration?

    private let events = EventQueue<TrialEvent>()
    private var running: [TrialRunID: TrialProcess] = [:]
    /// The trial each running run belongs to, and the threads it was last given.
    private var trialOfRun: [TrialRunID: Int] = [:]
    private var threadsOfRun: [TrialRunID: Int] = [:]
    private var nextRun = 0
    private let clock = ContinuousClock()
    private let origin = ContinuousClock.now

    public init(executable: URL, folder: StudyFolder, data: JSONValue?, metric: String, threadsPerTrial: Int,
                threadsAlone: Int? = nil, timeLimit: Duration?) throws {
        self.executable = executable
        self.folder = folder
        self.data = data
        self.metric = metric
        self.threadsPerTrial = threadsPerTrial
        self.threadsAlone = max(threadsAlone ?? threadsPerTrial, threadsPerTrial)
        self.timeLimit = timeLimit
        try FileManager.default.createDirectory(at: folder.trials, withIntermediateDirectories: true)
    }

    public var now: Double { (clock.now - origin).inSeconds }

    public func launch(_ request: TrialLaunch) throws -> TrialRunID {
        let number = request.trialNumber
        let threadRequest = folder.threadRequest(number)
        let arguments: [String]
        switch request.start {
        case .fresh(let parameters, let seed):
            try writeRunFile(number: number, parameters: parameters, seed: seed)
            arguments = TrialCommandLine.start(runFile: folder.runFile(number), epochs: request.targetEpochs, trial: number,
                                               threadRequests: threadRequest)
        case .fromCheckpoint:
            arguments = TrialCommandLine.resume(run: folder.runFiles(number), epochs: request.targetEpochs, trial: number,
                                                threadRequests: threadRequest)
        }
        // An earlier run's request (it ran alone) is not this one's: it starts on its run file's threads.
        try? FileManager.default.removeItem(at: threadRequest)
        let process = TrialProcess(executable: executable, arguments: arguments, environment: Self.trialEnvironment,
                                   timeLimit: timeLimit)
        let run = TrialRunID(value: nextRun)
        nextRun += 1
        running[run] = process
        trialOfRun[run] = number
        threadsOfRun[run] = threadsPerTrial
        let events = self.events
        Thread.detachNewThread {
            do {
                let outcome = try process.run { text in
                    if case .epoch(let report)? = TrialOutputLine(text) {
                        events.push(.epoch(trial: number, run: run, report: report))
                    }
                }
                events.push(.exited(trial: number, run: run, outcome: outcome))
            } catch {
                events.push(.exited(trial: number, run: run, outcome: TrialOutcome(
                    exitStatus: nil, stderrTail: "could not start: \(error)")))
            }
        }
        return run
    }

    public func nextEvent(timeout: Double) -> TrialEvent? {
        // The coordinator has started all it can before it waits: the runs now running stay so.
        balanceThreads()
        while let event = events.next(timeout: timeout) {
            // A terminated run's last words are dropped: another worker owns its trial now.
            guard running[event.run] != nil else { continue }
            if case .exited = event { forget(event.run) }
            return event
        }
        return nil
    }

    /// A run alone gets `threadsAlone` threads, runs beside others `threadsPerTrial`; only changes
    /// are written. A request that cannot be written costs speed only, so it is not an error.
    private func balanceThreads() {
        guard threadsAlone > threadsPerTrial else { return }
        let target = running.count == 1 ? threadsAlone : threadsPerTrial
        for (run, number) in trialOfRun where threadsOfRun[run] != target {
            try? ThreadRequest.write(target, to: folder.threadRequest(number))
            threadsOfRun[run] = target
        }
    }

    private func forget(_ run: TrialRunID) {
        running[run] = nil
        trialOfRun[run] = nil
        threadsOfRun[run] = nil
    }

    public func interrupt(_ run: TrialRunID) { running[run]?.interrupt() }

    public func terminate(_ run: TrialRunID) {
        running[run]?.terminate()
        forget(run)
    }

    public func loggedEpochs(ofTrial number: Int) -> [(epoch: Int, metrics: [String: Double])] {
        EpochLogFile.metrics(folder.runFiles(number).epochLog)
    }

    public func hasCheckpoint(trial number: Int) -> Bool { folder.runFiles(number).hasCheckpoint }

    public func hasEnded(worker owner: String) -> Bool { WorkerName(owner)?.isGoneFromThisMachine ?? false }

    /// The trial's run file: its parameters, the search's data and metric, its seed and threads,
    /// and its output folder.
    private func writeRunFile(number: Int, parameters: TrialParameters, seed: Int) throws {
        let document = TrialRunFile.document(parameters: parameters, data: data, seed: seed, threads: threadsPerTrial,
                                             metric: metric, output: folder.runFiles(number).directory.path)
        try FileManager.default.createDirectory(at: folder.trialDirectory(number), withIntermediateDirectories: true)
        try (document.canonicalText + "\n").write(to: folder.runFile(number), atomically: true, encoding: .utf8)
    }

    /// This process's environment without the database password: a trial never needs it.
    static var trialEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "PGPASSWORD" }
    }
}
