import Foundation
import TestSupport
import Testing

/// `tune bench startup` and the `--exit-before-first-step` flag it times, with the release binary
/// on NSL-KDD's test file (the issue's start-up case). Times are printed, never asserted.
@Suite("tune bench startup")
struct BenchStartupTests {
    static func runFile(in folder: URL, data: URL) throws {
        let text = """
            { "data": { "format": "nsl-kdd", "train": "\(data.appendingPathComponent("nsl-kdd/KDDTest+.txt").path)", "binary": true },
              "variant": "lstm", "epochs": 1, "threads": 1 }
            """
        try text.write(to: folder.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
    }

    @Test func timesExecToTheFirstTrainingStep() throws {
        guard let tune = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("bench-startup")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.runFile(in: folder, data: data)

        let result = try TuneBinary.run(tune, ["bench", "startup", "--config", "run.json", "--runs", "3"], in: folder)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let line = try #require(result.jsonLines.first)
        let runs = try #require(line["runs_ms"] as? [Double])
        #expect(runs.count == 3)
        let minimum = try #require(line["min_ms"] as? Double)
        let median = try #require(line["median_ms"] as? Double)
        let maximum = try #require(line["max_ms"] as? Double)
        #expect(runs.allSatisfy { $0 > 0 } && minimum <= median && median <= maximum)
        print("bench startup, NSL-KDD KDDTest+: \(runs) ms")
    }

    @Test func exitBeforeTheFirstStepLeavesNoCheckpoint() throws {
        guard let tune = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("bench-startup-exit")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.runFile(in: folder, data: data)

        let result = try TuneBinary.run(tune, ["train", "--config", "run.json", "--output", "out", "--exit-before-first-step"], in: folder)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("data: 18035 training, 4509 validation samples"))
        #expect(result.jsonLines.isEmpty)  // no epoch ran
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
        #expect(!files.contains("state.safetensors") && !files.contains("best.safetensors"))
    }

    @Test func aFailingRunIsReportedWithItsMessage() throws {
        guard let tune = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("bench-startup-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"{ "data": { "format": "nsl-kdd", "train": "missing.txt" } }"#
            .write(to: folder.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)

        let result = try TuneBinary.run(tune, ["bench", "startup", "--config", "run.json", "--runs", "1"], in: folder)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("missing.txt"), "stderr: \(result.stderr)")
    }
}
