import Foundation
import Testing
import TrialProtocol
@testable import Reports

/// The report of a fixed study equals the committed golden files byte for byte (rewrite them with
/// `TUNE_UPDATE_GOLDEN=1`, see `GoldenFile`), and writing it puts every file in place.
@Suite struct StudyReportGoldenTests {
    @Test func markdownMatchesItsGoldenFile() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        try GoldenFile.check(report.markdown, name: "README.md")
    }

    @Test func csvTablesMatchTheirGoldenFiles() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        try GoldenFile.check(report.leaderboardTable.text, name: "leaderboard.csv")
        try GoldenFile.check(report.trialsTable.text, name: "trials.csv")
        try GoldenFile.check(report.epochsTable.text, name: "epochs.csv")
    }

    @Test func theReportDoesNotDependOnWhereTheStudyLives() throws {
        let (first, firstDirectory) = try StudyReportFixture.report()
        let (second, secondDirectory) = try StudyReportFixture.report()
        defer {
            try? FileManager.default.removeItem(at: firstDirectory)
            try? FileManager.default.removeItem(at: secondDirectory)
        }
        #expect(first.documents.map(\.name) == second.documents.map(\.name))
        #expect(first.documents.map(\.text) == second.documents.map(\.text))
        #expect(!first.markdown.contains(firstDirectory.path))
    }

    @Test func writingPutsEveryFileInTheReportFolder() throws {
        let (report, directory) = try StudyReportFixture.report()
        let output = directory.appendingPathComponent("Reports/golden")
        defer { try? FileManager.default.removeItem(at: directory) }
        try report.write(to: output)
        try report.write(to: output)  // rewriting replaces every file in place
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(files == ["README.md", "best.safetensors", "epochs.csv", "history.svg", "leaderboard.csv",
                          "learning-curves.svg", "param-conv_channels.svg", "param-dropout.svg", "param-lr.svg",
                          "param-lstm_hidden.svg", "trials.csv", "variants.svg"])
        let copied = try Data(contentsOf: output.appendingPathComponent("best.safetensors"))
        let original = try Data(contentsOf: StudyFolder(directory: directory).runFiles(1).bestModel)
        #expect(copied == original)
        #expect(try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8) == report.markdown)
    }

    @Test func theReadmeLinksEveryPlotItWrites() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        for plot in report.plots {
            #expect(report.markdown.contains("](\(plot.fileName))"), "README.md does not show \(plot.fileName)")
        }
    }
}
