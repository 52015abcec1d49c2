import Foundation
import FileFormats
import Search
import Testing
@testable import Reports

/// Reports of simulated searches of every halving and non-halving method: the rung table and
/// the epochs saved agree with the study, and every file is well-formed.
@Suite struct StudyReportMethodTests {
    static func simulatedReport(method: String, trials: Int) throws -> StudyReport {
        let text = StudyReportFixture.searchFile.replacingOccurrences(of: "\"method\": \"asha\"", with: "\"method\": \"\(method)\"")
        let definition = try SearchDefinition(document: JSONValue.parse(Data(text.utf8), source: "sim.json"), source: "sim.json")
        let simulation = SearchSimulation(
            scheduler: SearchScheduler(definition: definition, seed: 5), workers: 2, trialBudget: trials,
            objective: { parameters, trial, epoch in
                guard case .number(let lr)? = parameters["lr"] else { return 0 }
                return 0.99 - 0.05 * abs(log10(lr) + 2.5) - 0.2 / Double(epoch + trial % 3)
            },
            epochSeconds: { _, _ in 1 })
        var study = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 5)
        _ = try simulation.run(study: &study)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-report-sim-\(UUID().uuidString)")
        return try StudyReport(study: study, studyDirectory: directory, trialBudget: trials)
    }

    @Test(arguments: [("asha", 12), ("sha", 12), ("hyperband", 14), ("random", 5)])
    func everyMethodReports(method: String, trials: Int) throws {
        let report = try Self.simulatedReport(method: method, trials: trials)
        #expect(report.records.count == trials)
        let trained = report.snapshot.trials.reduce(0) { $0 + $1.epochsTrained }
        #expect(report.markdown.contains("| epochs trained | \(trained) (every trial to 9 epochs would take \(trials * 9)) |"))
        #expect(report.markdown.contains("## Successive halving") == (method != "random"))
        #expect(report.markdown.contains("| bracket |") == (method == "hyperband"))
        if method != "random" {
            #expect(report.markdown.contains("Epochs trained: **\(trained)** of \(trials * 9)"))
        }
        for document in report.documents where document.name.hasSuffix(".svg") {
            #expect(SVGInspector.parse(document.text).wellFormed, "\(method): \(document.name)")
        }
        for document in report.documents where document.name.hasSuffix(".csv") {
            #expect(throws: Never.self) { try CSVTable.parse(document.text) }
        }
    }
}
