import Foundation
import FileFormats
import Testing
import Reports
import Search

/// A study with enough results gets a "Parameter importance" section, `importance.csv` and
/// `importance.svg`, all from one `ParameterImportance`; a smaller one gets none of them.
@Suite struct StudyReportImportanceTests {
    static let searchFile = """
        { "name": "importance", "sampler": "tpe", "scheduler": "none",
          "metric": { "name": "val_f1_macro", "goal": "maximize" }, "budget": { "max_epochs": 2 },
          "parameters": {
            "lr":      { "distribution": "log_uniform_values", "min": 0.0001, "max": 0.1 },
            "dropout": { "distribution": "uniform", "min": 0.0, "max": 0.5 },
            "variant": { "values": ["lstm", "bilstm", "attention"] } } }
        """

    /// A study of `trials` trials on an objective that depends on the learning rate only.
    static func report(trials: Int) throws -> StudyReport {
        let definition = try SearchDefinition(document: JSONValue.parse(Data(searchFile.utf8), source: "importance.json"), source: "importance.json")
        var study = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 0)
        let simulation = SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: 0), workers: 2, trialBudget: trials) { parameters, _, epoch in
            guard case .number(let lr)? = parameters["lr"] else { return .nan }
            let distance = log10(lr) + 2.5
            return 0.95 - 0.05 * distance * distance + 0.001 * Double(epoch)
        }
        _ = try simulation.run(study: &study)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("importance-\(UUID().uuidString)")
        return StudyReport(snapshot: study.snapshot, definition: definition, studyDirectory: directory)
    }

    @Test func aStudyWithEnoughResultsShowsTheImportanceThreeWays() throws {
        let report = try Self.report(trials: 24)
        let importance = try #require(report.importance)
        #expect(importance.entries.first?.parameter == "lr")
        let names = report.documents.map(\.name)
        #expect(names.contains("importance.csv") && names.contains("importance.svg"))
        let csv = try #require(report.importanceTable).text
        #expect(csv.hasPrefix("parameter,importance,epochs,trials\nlr,"))
        #expect(csv.split(separator: "\n").count == 4)
        #expect(report.markdown.contains("## Parameter importance"))
        #expect(report.markdown.contains("| `lr` | \(String(format: "%.3f", importance.entries[0].importance)) |"))
        #expect(report.markdown.contains("![Parameter importance](importance.svg)"))
        #expect(report.markdown.contains("| sampler | `tpe`: TPE as Optuna's TPESampler"))
        let svg = try #require(report.documents.first { $0.name == "importance.svg" }?.text)
        #expect(svg.contains("lr") && svg.contains("dropout") && svg.contains("variant"))
    }

    @Test func aSmallStudyHasNoImportance() throws {
        let report = try Self.report(trials: 6)
        #expect(report.importance == nil)
        #expect(!report.documents.map(\.name).contains("importance.csv"))
        #expect(!report.markdown.contains("Parameter importance"))
    }
}
