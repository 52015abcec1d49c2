import ArgumentParser
import Foundation
import TrialProtocol
import Search

/// `tune worker --storage URL --study NAME`: joins a study that a coordinator started (usually on
/// PostgreSQL) and runs its trials until the study's budget is spent.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Join a shared study from any machine and run its trials until its budget is spent.",
        discussion: """
            Start the study first with `tune --space FILE --storage URL --trials N` (which also runs \
            trials). Every worker claims trials atomically through the journal, writes a heartbeat, \
            and re-queues the trials of workers whose heartbeat stopped; those continue from their \
            last checkpoint. Trial folders (run files, checkpoints) live in the study folder, which \
            must be on a file system every worker shares (NFS, a Kubernetes ReadWriteMany volume).
            """)

    @OptionGroup var storageOptions: StorageOptions
    @Option(help: "The study to join (the search file's name).") var study: String
    @Option(help: "Trial processes at once (default: the number of cores).") var parallel: Int?
    @Option(help: "The shared study folder as this machine mounts it (default: the folder the study was created with).")
    var directory: String?
    @Option(name: .customLong("trial-timeout"), help: "Seconds after which a trial is killed and failed.")
    var trialTimeout: Double?

    func validate() throws {
        if storageOptions.storage == nil { throw ValidationError("--storage is required: the journal the study lives in") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
        if let trialTimeout, !(trialTimeout > 0) { throw ValidationError("--trial-timeout must be positive") }
    }

    func run() throws {
        let (journal, source) = try StudyStorage.open(storage: storageOptions.storage, studyName: study, studyDirectory: nil)
        let loaded = try Study.load(journal: journal, source: source)
        let header = loaded.snapshot.header
        let definition = try SearchDefinition(document: header.document, source: source)
        guard loaded.snapshot.trialBudget != nil else {
            throw ValidationError("the study '\(study)' in \(source) has no trial budget yet; "
                                  + "start it with tune --space FILE --storage URL --trials N")
        }
        guard let folder = directory ?? header.directory else {
            throw ValidationError("the study '\(study)' does not say where its trial folders are; give --directory")
        }
        let parallel = parallel ?? ProcessInfo.processInfo.activeProcessorCount
        let options = SearchCoordinator.Options.commandLine(trials: nil, parallel: parallel, storageOptions: storageOptions)
        let launcher = try ProcessTrialLauncher.commandLine(definition: definition, studyDirectory: URL(fileURLWithPath: folder),
                                                            parallel: parallel, trialTimeout: trialTimeout)
        let coordinator = SearchCoordinator(study: loaded, definition: definition, options: options, launcher: launcher) { line in
            printError(SearchRun.timestamp() + " " + line)
        }
        printError("worker \(coordinator.worker): study '\(header.name)' in \(source), \(parallel) trial(s) at once; "
                   + "trial folders in \(folder)")
        let stop = StopRequest(message: "stopping: no new trials; running trials finish their epoch and checkpoint (Ctrl-C again to stop now)")
        let ending = try coordinator.run(stopRequested: { stop.requested })
        switch ending {
        case .finished:
            printError("worker: the study's budget is spent")
        case .stopped(let reason):
            printError("worker: search stopped: \(reason)")
            throw ExitCode(ExitStatus.failure)
        case .interrupted:
            printError("worker interrupted; its trials continue from their checkpoints on the next worker")
            throw ExitCode(ExitStatus.interrupted)
        }
    }
}
