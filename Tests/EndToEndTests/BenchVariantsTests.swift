import Foundation
import TestSupport
import Testing

/// `tune bench --space FILE --seeds K` with the release binary: a small benchmark on synthetic
/// traffic writes its report, and bad input exits 2 with one line.
@Suite("tune bench (variants)")
struct BenchVariantsTests {
    /// A search file for a one-epoch benchmark of a tiny model on synthetic traffic.
    static func searchFile(in folder: URL, extra: String = "") throws -> URL {
        let url = folder.appendingPathComponent("tiny.json")
        let text = """
            { "name": "tiny", "method": "grid",
              "metric": { "name": "val_f1_macro", "goal": "maximize" },
              "budget": { "max_epochs": 1 },
              "data": { "format": "synthetic", "flows": 600 },
              "parameters": {
                "variant": { "values": ["lstm", "bilstm", "attention"] },
                "conv_channels": { "value": [8, 16] }, "lstm_hidden": { "value": 8 },
                "heads": { "value": 2 }, "head_dim": { "value": 4 } }\(extra) }
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func writesTheReportForEveryConfigurationAndSeed() throws {
        guard let tune = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.searchFile(in: folder)
        let result = try TuneBinary.run(tune, ["bench", "--space", "tiny.json", "--seeds", "2", "--threads", "1",
                                               "--output", "out"], in: folder)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let progress = result.stderr.split(separator: "\n").filter { $0.hasPrefix("bench ") && $0.contains(" seed ") }
        #expect(progress.count == 6, "stderr: \(result.stderr)")

        let report = folder.appendingPathComponent("out/bench-tiny")
        let results = try String(contentsOf: report.appendingPathComponent("results.csv"), encoding: .utf8)
        let lines = results.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines.first?.hasPrefix("configuration,seed,epochs,best_epoch,val_f1_macro,") == true)
        let summary = try String(contentsOf: report.appendingPathComponent("summary.csv"), encoding: .utf8)
        #expect(summary.split(separator: "\n").map { $0.prefix(while: { $0 != "," }) } == ["configuration", "lstm", "bilstm", "attention"])
        let readme = try String(contentsOf: report.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("| lstm | 2 |") && readme.contains("| attention | 2 |"))
        #expect(readme.contains("tune bench --space tiny.json --seeds 2 --threads 1 --output out"))
        #expect(!readme.contains("Partial report"))
        #expect(result.stdout.contains("| configuration | n | val_f1_macro |"))
        // The runs' folders are beside the search file, each repeatable with `tune train`.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny/bench/03-attention/seed-1/run.json").path))
    }

    @Test func listedConfigurationsAreBenchmarkedUnderTheirNames() throws {
        guard let tune = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("bench-listed")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.searchFile(in: folder, extra: """
            , "configurations": [ { "name": "narrow", "variant": "lstm" }, { "variant": "bilstm", "lstm_hidden": 4 } ]
            """)
        let result = try TuneBinary.run(tune, ["bench", "--space", "tiny.json", "--seeds", "1", "--threads", "1",
                                               "--output", "out"], in: folder)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try String(contentsOf: folder.appendingPathComponent("out/bench-tiny/summary.csv"), encoding: .utf8)
        #expect(summary.contains("\nnarrow,1,") && summary.contains("\n\"variant=bilstm, lstm_hidden=4\",1,"))
    }

    @Test(arguments: [
        (["bench", "--space", "missing.json", "--seeds", "2"], "missing.json"),
        (["bench", "--space", "tiny.json", "--seeds", "0"], "--seeds"),
        (["bench", "--space", "tiny.json", "--seeds", "two"], "--seeds"),
        (["bench", "--space", "tiny.json", "--threads", "0"], "--threads"),
        (["bench", "--space", "bad-parameter.json"], "parameters.hidden"),
        (["bench", "--space", "bad-value.json"], "dropout"),
        (["bench", "--space", "bad-configurations.json"], "configurations[0].epochs"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], mentions: String) throws {
        guard let tune = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("bench-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tiny = try String(contentsOf: try Self.searchFile(in: folder), encoding: .utf8)
        try tiny.replacingOccurrences(of: "\"lstm_hidden\"", with: "\"hidden\"")
            .write(to: folder.appendingPathComponent("bad-parameter.json"), atomically: true, encoding: .utf8)
        try tiny.replacingOccurrences(of: "\"heads\": { \"value\": 2 }", with: "\"dropout\": { \"value\": 1.5 }")
            .write(to: folder.appendingPathComponent("bad-value.json"), atomically: true, encoding: .utf8)
        try String(contentsOf: try Self.searchFile(in: folder, extra: ", \"configurations\": [ { \"epochs\": 3 } ]"), encoding: .utf8)
            .write(to: folder.appendingPathComponent("bad-configurations.json"), atomically: true, encoding: .utf8)
        _ = try Self.searchFile(in: folder)

        let result = try TuneBinary.run(tune, arguments, in: folder)
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(mentions), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Reports").path))
    }
}
