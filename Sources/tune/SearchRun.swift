import ArgumentParser
import Foundation
import TrialProtocol
import FileFormats
import Reports
import Search
import Training

/// The root command's job, `tune --space FILE --trials N`: validates the search file against
/// what the trainer accepts, opens or resumes the study in `Searches/NAME/`, and runs it.
struct SearchRun {
    var space: String
    var trials: Int
    var parallel: Int
    var seed: Int
    var fresh: Bool
    var trialTimeout: Double?
    var storageOptions: StorageOptions

    func run() throws {
        let definition = try SearchDefinition.read(path: space)
        try definition.validate(knownParameters: RunConfiguration.searchableKeys,
                                knownMetrics: Set(EpochMetrics.knownNames))
        try Self.checkParameterValues(definition)
        let studyDirectory = URL(fileURLWithPath: space).deletingLastPathComponent()
            .appendingPathComponent(definition.name)
        if fresh { try Self.moveAside(studyDirectory, study: definition.name, storage: storageOptions.storage) }
        let options = SearchCoordinator.Options.commandLine(trials: trials, parallel: parallel, storageOptions: storageOptions)
        let launcher = try ProcessTrialLauncher.commandLine(definition: definition, studyDirectory: studyDirectory,
                                                            parallel: parallel, trialTimeout: trialTimeout)
        let (journal, source) = try StudyStorage.open(storage: storageOptions.storage, studyName: definition.name,
                                                      studyDirectory: studyDirectory)
        let study = try Study.open(journal: journal, definition: definition, seed: seed, source: source,
                                   directory: studyDirectory.standardizedFileURL.path)
        let coordinator = SearchCoordinator(study: study, definition: definition, options: options, launcher: launcher) { line in
            printError(Self.timestamp() + " " + line)
        }
        let reportDirectory = URL(fileURLWithPath: "Reports").appendingPathComponent(definition.name)
        coordinator.onTrialEnded = { [unowned coordinator] study in
            Self.writeReport(study: study, coordinator: coordinator, studyDirectory: studyDirectory, to: reportDirectory)
        }
        let done = coordinator.study.snapshot.trials.filter { $0.state.isFinished }.count
        printError("search '\(definition.name)': \(definition.methodName) on \(definition.metric.name) "
                   + "(\(definition.metric.goal.rawValue)), \(trials) trials in total (\(done) already finished), "
                   + "\(parallel) at once with \(launcher.threadsPerTrial) BLAS thread(s) each; journal \(source), trial folders in \(studyDirectory.path)")
        let stop = StopRequest(message: "stopping: no new trials; running trials finish their epoch and checkpoint (Ctrl-C again to stop now)")
        let ending = try coordinator.run(stopRequested: { stop.requested })
        print(StudySummary(study: coordinator.study, scheduler: coordinator.scheduler, trialBudget: trials).text)
        if Self.writeReport(study: coordinator.study, coordinator: coordinator, studyDirectory: studyDirectory, to: reportDirectory) {
            printError("report: \(reportDirectory.appendingPathComponent("README.md").path)")
        }
        switch ending {
        case .finished:
            printError("search finished")
        case .stopped(let reason):
            printError("search stopped: \(reason)")
            throw ExitCode(ExitStatus.failure)
        case .interrupted:
            printError("search interrupted; run the same command again to continue it")
            throw ExitCode(ExitStatus.interrupted)
        }
    }

    /// Rewrites the search's report; a failure is reported and the search goes on.
    @discardableResult
    static func writeReport(study: Study, coordinator: SearchCoordinator, studyDirectory: URL, to directory: URL) -> Bool {
        do {
            try StudyReport(snapshot: study.snapshot, definition: coordinator.definition,
                            studyDirectory: studyDirectory, trialBudget: coordinator.trialBudget,
                            scheduler: coordinator.scheduler).write(to: directory)
            return true
        } catch {
            printError("could not write the report to \(directory.path): \(error)")
            return false
        }
    }

    /// Every categorical value and both ends of every range, checked by the run-file reader, so a
    /// value the trainer would refuse (`dropout` 1.5, `lstm_layers` 0) is an error before any trial.
    static func checkParameterValues(_ definition: SearchDefinition) throws {
        for parameter in definition.parameters {
            var values: [JSONValue] = []
            switch parameter.distribution {
            case .constant(let value): values = [value]
            case .categorical(let choices): values = choices
            case .uniform(let minimum, let maximum), .logUniform(let minimum, let maximum),
                 .quantizedUniform(let minimum, let maximum, _):
                values = [.number(minimum), .number(maximum)]
            case .integerUniform(let minimum, let maximum):
                values = [.number(Double(minimum)), .number(Double(maximum))]
            }
            for value in values {
                do {
                    _ = try RunConfiguration.parse(.object(["data": .object([:]), parameter.name: value]),
                                                   source: definition.source)
                } catch {
                    throw JSONFileError(source: definition.source, field: "parameters.\(parameter.name)",
                                        message: "allows \(value.canonicalText), which a training run refuses: \(error.message)")
                }
            }
        }
    }

    /// `--fresh`: the old study (its folder, and its journal when `--storage` keeps it elsewhere)
    /// is kept as NAME.old-TIMESTAMP, never deleted; a refusal comes before anything moves.
    static func moveAside(_ directory: URL, study: String, storage: String?) throws {
        let location = try storage.map { text throws(StudyError) in try StorageLocation(parsing: text) }
        for line in try FreshStart().moveAside(study: study, directory: directory, storage: location) {
            printError("--fresh: \(line)")
        }
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
