import Foundation
import FileFormats
import Search
import TrialProtocol

/// The report of a search study, `Reports/NAME/`: `README.md` (what was searched, leaderboard,
/// variants, rungs, the best trial's per-class results, failures, plots), `leaderboard.csv`,
/// `trials.csv`, `epochs.csv`, `importance.csv`, SVG plots and a copy of the best model.
///
/// Built from the study's snapshot plus each trial's `trials/N/run/epochs.jsonl`; cheap enough to
/// rebuild after every finished trial. Nothing in it depends on the clock or on where the study
/// lives, so the same study always gives the same files.
public struct StudyReport: Sendable {
    public let snapshot: StudySnapshot
    public let definition: SearchDefinition
    public let scheduler: SearchScheduler
    /// The trials the search was asked for (at least the trials created): the given budget, else
    /// the one the study recorded, else the trials created.
    public let trialBudget: Int
    /// Every trial, by number.
    public let records: [TrialRecord]
    /// The trials that reported the metric, best first.
    public let leaderboard: [TrialRecord]
    /// The best trial's `run/best.safetensors`, when it exists.
    public let bestModel: URL?
    /// The class names in the best model's metadata, when readable.
    public let classNames: [String]?
    /// PED-ANOVA importance of the parameters, once a rung has enough results.
    public let importance: ParameterImportance?

    /// The report of `study`, whose trial folders are under `studyDirectory/trials/`; the
    /// search definition is the one stored in the study. `trialBudget` defaults to the budget
    /// the study recorded, else the trials created so far.
    public init(study: Study, studyDirectory: URL, trialBudget: Int? = nil) throws(JSONFileError) {
        let definition = try SearchDefinition(document: study.snapshot.header.document, source: "the study's search file")
        self.init(snapshot: study.snapshot, definition: definition, studyDirectory: studyDirectory, trialBudget: trialBudget)
    }

    /// The report of `snapshot` searched with `definition`; `scheduler` (default: the study's
    /// own, deterministic one) gives the rung table and says whether the search is deterministic.
    public init(snapshot: StudySnapshot, definition: SearchDefinition, studyDirectory: URL, trialBudget: Int? = nil,
                scheduler: SearchScheduler? = nil) {
        self.snapshot = snapshot
        self.definition = definition
        self.scheduler = scheduler ?? SearchScheduler(definition: definition, seed: snapshot.header.seed)
        self.trialBudget = max(trialBudget ?? snapshot.trialBudget ?? snapshot.trials.count, snapshot.trials.count)
        let metric = definition.metric
        let folder = StudyFolder(directory: studyDirectory)
        records = snapshot.trials.map { trial in
            TrialRecord(trial: trial, metric: metric, log: EpochDetails.read(folder.runFiles(trial.number)))
        }
        let allRecords = records
        importance = ParameterImportance.evaluate(snapshot: snapshot, definition: definition)
        leaderboard = snapshot.leaderboard(by: metric).map { allRecords[$0.trial.number] }
        if let best = leaderboard.first {
            let model = folder.runFiles(best.number).bestModel
            bestModel = FileManager.default.fileExists(atPath: model.path) ? model : nil
            classNames = bestModel.flatMap { try? SafetensorsMetadata.read($0).classNames }
        } else {
            bestModel = nil
            classNames = nil
        }
    }

    /// The report's text files by name (README, CSV tables, SVG plots), in writing order.
    public var documents: [(name: String, text: String)] {
        var documents: [(name: String, text: String)] = [
            ("leaderboard.csv", leaderboardTable.text),
            ("trials.csv", trialsTable.text),
            ("epochs.csv", epochsTable.text),
        ]
        if let importanceTable { documents.append(("importance.csv", importanceTable.text)) }
        documents += plots.map { (name: $0.fileName, text: $0.chart.svg) }
        documents.append((name: "README.md", text: markdown))
        return documents
    }

    /// Writes every file into `reportDirectory` (created when needed), each atomically, README
    /// last so it never links a plot that is not there yet; copies the best model beside them.
    public func write(to reportDirectory: URL) throws {
        try FileManager.default.createDirectory(at: reportDirectory, withIntermediateDirectories: true)
        if let bestModel {
            try ReportFiles.copy(bestModel, to: reportDirectory.appendingPathComponent("best.safetensors"))
        }
        for document in documents {
            try ReportFiles.write(document.text, to: reportDirectory.appendingPathComponent(document.name))
        }
    }

    // MARK: - What the parts share

    /// The parameters that vary between trials (not constants), sorted by name.
    var searchedParameters: [SearchParameter] {
        definition.parameters.filter { $0.distribution.valueCount != 1 }
    }

    /// Every parameter name any trial has (the definition's, plus any found only in the journal).
    var parameterNames: [String] {
        var names = Set(definition.parameters.map(\.name))
        for record in records { names.formUnion(record.trial.parameters.keys) }
        return names.sorted()
    }

    /// Every scalar metric name any trial reported, sorted.
    var metricNames: [String] {
        var names: Set<String> = []
        for record in records {
            for report in record.trial.reports { names.formUnion(report.metrics.keys) }
        }
        return names.sorted()
    }

    /// The variants in the search file's order, then any others found in trials, sorted.
    var variants: [String] {
        var ordered: [String] = []
        if let parameter = definition.parameters.first(where: { $0.name == "variant" }) {
            switch parameter.distribution {
            case .categorical(let values): ordered = values.map(ReportFormat.parameter)
            case .constant(let value): ordered = [ReportFormat.parameter(value)]
            default: break
            }
        }
        let extra = Set(records.compactMap(\.variant)).subtracting(ordered).sorted()
        return ordered + extra
    }

    /// Epochs trained by all trials, and what training every trial to `max_epochs` would take.
    var epochTotals: (trained: Int, full: Int) {
        (records.reduce(0) { $0 + $1.trial.epochsTrained }, records.count * definition.budget.maximumEpochs)
    }
}
