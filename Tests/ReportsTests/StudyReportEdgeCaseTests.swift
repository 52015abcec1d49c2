import Foundation
import FileFormats
import Search
import Testing
import TrialProtocol
@testable import Reports

/// Reports of studies that have hardly begun, and trial folders that are missing or damaged.
@Suite struct StudyReportEdgeCaseTests {
    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tune-report-edge-\(UUID().uuidString)")
    }

    /// The report states the validation samples once for the study, or which trials differ.
    @Test func validationFingerprintsAreShownOnceOrByGroup() {
        #expect(StudyReport.describeFingerprints([(0, []), (1, [])]) == nil)
        #expect(StudyReport.describeFingerprints([(0, ["aa", "aa"]), (1, ["aa"]), (2, [])])
                == "fingerprint `aa`, the same for every trial")
        #expect(StudyReport.describeFingerprints([(0, ["bb"]), (1, ["aa"]), (2, ["bb", "cc"])])
                == "**differ between trials:** `bb` trials 0, 2; `aa` trial 1; `cc` trial 2")
    }

    @Test func aStudyWithoutTrialsGivesACompleteReport() throws {
        let study = try Study.open(journal: InMemoryJournal(), definition: StudyReportFixture.definition(), seed: 0)
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try StudyReport(study: study, studyDirectory: directory)
        try report.write(to: directory.appendingPathComponent("report"))
        #expect(report.markdown.contains("No trial has reported val_f1_macro yet."))
        #expect(!report.markdown.contains("## Best trial"))
        #expect(try CSVTable.parse(report.trialsTable.text).rows.isEmpty)
        #expect(try CSVTable.parse(report.epochsTable.text).rows.isEmpty)
        #expect(try CSVTable.parse(report.leaderboardTable.text).rows.isEmpty)
        for plot in report.plots {
            #expect(SVGInspector.parse(plot.chart.svg).wellFormed, "\(plot.fileName)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("report/best.safetensors").path))
    }

    @Test func aRunningTrialWithoutEpochsOrFolderIsReported() throws {
        var study = try Study.open(journal: InMemoryJournal(), definition: StudyReportFixture.definition(), seed: 0)
        try study.append([.createTrial(number: 0, parameters: StudyReportFixture.plans[0].parameters),
                          .claimTrial(number: 0, targetEpochs: 1, worker: "w")])
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try StudyReport(study: study, studyDirectory: directory, trialBudget: 20)
        try report.write(to: directory.appendingPathComponent("report"))
        #expect(report.markdown.contains("**Trials:** 1 of 20: 1 running."))
        let trials = try CSVTable.parse(report.trialsTable.text)
        #expect(trials.rows.count == 1)
        #expect(trials.rows.first?[1] == "running")
    }

    @Test func aBestTrialWithoutLogOrModelStillGetsItsSection() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try StudyReport(study: StudyReportFixture.study(), studyDirectory: directory, trialBudget: 9)
        #expect(report.bestModel == nil)
        #expect(report.markdown.contains("## Best trial: 1"))
        #expect(report.markdown.contains("No per-class results"))
        try report.write(to: directory.appendingPathComponent("report"))
    }

    @Test func classNamesFallBackToNumbersWhenTheModelHasNone() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try StudyReportFixture.writeTrialFolders(in: directory)
        let model = StudyFolder(directory: directory).runFiles(1).bestModel
        try StudyReportFixture.writeSafetensors(metadata: ["epoch": "8"], to: model)
        let report = try StudyReport(study: StudyReportFixture.study(), studyDirectory: directory, trialBudget: 9)
        #expect(report.classNames == nil)
        #expect(report.markdown.contains("| class 0 |"))
        #expect(report.markdown.contains("classes are numbered"))
    }

    @Test func safetensorsHeadersAreReadAndDamagedOnesRefused() throws {
        let directory = Self.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.safetensors")
        try StudyReportFixture.writeSafetensors(metadata: ["class_names": "[\"a\",\"b\"]"], to: good)
        #expect(try SafetensorsMetadata.read(good).classNames == ["a", "b"])

        let short = directory.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: short)
        #expect(throws: ReportError.self) { try SafetensorsMetadata.read(short) }
        let huge = directory.appendingPathComponent("huge.safetensors")
        try Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B]).write(to: huge)
        #expect(throws: ReportError.self) { try SafetensorsMetadata.read(huge) }
        let truncated = directory.appendingPathComponent("truncated.safetensors")
        try Data([100, 0, 0, 0, 0, 0, 0, 0, 0x7B]).write(to: truncated)
        #expect(throws: ReportError.self) { try SafetensorsMetadata.read(truncated) }
        #expect(throws: ReportError.self) { try SafetensorsMetadata.read(directory.appendingPathComponent("missing")) }
    }

    @Test func epochLogsSkipBadLinesAndKeepTheLastLineOfAnEpoch() {
        let log = EpochDetails.parse("""
            {"epoch":1,"seconds":2.5}
            not json
            {"epoch":2,"seconds":1}
            {"epoch":2,"seconds":1.5,"validation":{"precision":[1],"recall":[1],"f1":[1],"support":[3],"confusion_matrix":[[3]]}}
            {"epoch":3,"validation":{"precision":[1,0],"recall":[1],"f1":[1],"support":[3],"confusion_matrix":[[3]]}}
            """)
        #expect(log.entries.map(\.epoch) == [1, 2, 3])
        #expect(log.totalSeconds == 4)
        #expect(log.entry(epoch: 2)?.validation?.confusionMatrix == [[3]])
        #expect(log.entry(epoch: 3)?.validation == nil)  // lists of different lengths
    }

    @Test func sampleStatisticsUseTheSampleStandardDeviation() throws {
        let statistics = try #require(SampleStatistics([1, 2, 3, 4]))
        #expect(statistics.mean == 2.5)
        #expect(abs((statistics.standardDeviation ?? 0) - (5.0 / 3).squareRoot()) < 1e-12)
        #expect(SampleStatistics([7])?.standardDeviation == nil)
        #expect(SampleStatistics([]) == nil)
    }
}
