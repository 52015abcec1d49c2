import Foundation
import FileFormats
import Search
import Testing
@testable import Reports

/// The CSV tables read back (`CSVTable.parse`) to exactly the values in the study's snapshot.
@Suite struct StudyReportCSVTests {
    /// `field` as the value it stands for: empty is nil, anything else a Double that must parse.
    static func number(_ field: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double? {
        guard !field.isEmpty else { return nil }
        let value = Double(field)
        #expect(value != nil, "\(field) is not a number", sourceLocation: sourceLocation)
        return value
    }

    /// `field` read back as the parameter value it was written from.
    static func parameter(_ field: String, like value: JSONValue) throws -> JSONValue {
        switch value {
        case .string: return .string(field)
        case .number: return .number(Double(field) ?? .nan)
        default: return try JSONValue.parse(Data(field.utf8), source: "csv field")
        }
    }

    @Test func epochsCSVHoldsEveryReportedValue() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try CSVTable.parse(report.epochsTable.text)
        let metricNames = Array(table.header.dropFirst(3))
        #expect(table.header.prefix(3) == ["trial", "epoch", "seconds"])
        #expect(metricNames == metricNames.sorted())
        let reports = report.snapshot.trials.flatMap { trial in trial.reports.map { (trial.number, $0) } }
        #expect(table.rows.count == reports.count)
        for (row, (number, epochReport)) in zip(table.rows, reports) {
            #expect(Int(row[0]) == number)
            #expect(Int(row[1]) == epochReport.epoch)
            let logged = StudyReportFixture.trialsWithoutFolder.contains(number)
                ? nil : StudyReportFixture.seconds(number, epoch: epochReport.epoch)
            #expect(Self.number(row[2]) == logged)
            for (name, field) in zip(metricNames, row.dropFirst(3)) {
                #expect(Self.number(field) == epochReport.metrics[name], "trial \(number) epoch \(epochReport.epoch) \(name)")
            }
        }
    }

    @Test func trialsCSVHoldsEveryTrialParameterAndFinalMetric() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try CSVTable.parse(report.trialsTable.text)
        #expect(table.rows.count == report.snapshot.trials.count)
        let column = { (name: String) in table.header.firstIndex(of: name) ?? -1 }
        let metric = SearchMetric(name: "val_f1_macro", goal: .maximize)
        for (row, trial) in zip(table.rows, report.snapshot.trials) {
            #expect(Int(row[column("trial")]) == trial.number)
            #expect(row[column("state")] == trial.state.rawValue)
            #expect(Int(row[column("epochs")]) == trial.epochsTrained)
            #expect(row[column("reason")] == (trial.reason ?? ""))
            #expect(Self.number(row[column("best_val_f1_macro")]) == trial.bestValue(of: metric))
            for (name, value) in trial.parameters {
                #expect(try Self.parameter(row[column("params_\(name)")], like: value) == value, "trial \(trial.number) \(name)")
            }
            for name in ["lr", "train_loss", "val_accuracy", "val_f1_macro", "val_loss", "test_f1_macro"] {
                #expect(Self.number(row[column(name)]) == trial.reports.last?.metrics[name], "trial \(trial.number) \(name)")
            }
        }
    }

    @Test func leaderboardCSVRanksTheTrialsByTheirBestValue() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try CSVTable.parse(report.leaderboardTable.text)
        #expect(table.header.prefix(7) == ["rank", "trial", "state", "val_f1_macro", "best_epoch", "epochs", "seconds"])
        #expect(table.rows.map { $0[1] } == ["1", "5", "7", "6", "0", "3", "2", "8"])
        #expect(table.rows.map { $0[0] } == (1...8).map(String.init))
        let values = table.rows.compactMap { Self.number($0[3]) }
        #expect(values == values.sorted(by: >))
        #expect(table.rows[0][4] == "8")  // the best epoch, not the last
        #expect(Self.number(table.rows[0][6]) == (1...9).reduce(0) { $0 + StudyReportFixture.seconds(1, epoch: $1) })
        #expect(table.rows[7][3] == String(describing: 0.1 + 0.2))  // shortest round-trip, not rounded
    }
}
