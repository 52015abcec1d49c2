import Foundation
import TestSupport
import Testing

/// A TPE + ASHA search with the real binary on synthetic traffic gives the same study at
/// `--parallel 1` and `--parallel 2`: the same `tune status`, leaderboard and importance.
@Suite("TPE search with the real binary", .serialized)
struct TPESearchTests {
    func writeSearch(in folder: URL, sampler: Any = ["name": "tpe", "n_startup_trials": 4, "lag": 1]) throws {
        let searches = folder.appendingPathComponent("Searches")
        try FileManager.default.createDirectory(at: searches, withIntermediateDirectories: true)
        let document: [String: Any] = [
            "name": "tpe", "sampler": sampler, "scheduler": "asha",
            "metric": ["name": "val_f1_macro", "goal": "maximize"],
            "budget": ["min_epochs": 1, "max_epochs": 3, "eta": 3],
            "data": ["format": "synthetic", "flows": 1200],
            "parameters": [
                "variant": ["values": ["lstm", "attention"]],
                "lr": ["distribution": "log_uniform_values", "min": 3e-4, "max": 3e-2],
                "lstm_hidden": ["values": [16, 32]],
                "heads": ["values": [1, 2], "when": ["variant": ["attention"]]],
                "conv_channels": ["value": [16, 32]],
            ],
        ]
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            .write(to: searches.appendingPathComponent("tpe.json"))
    }

    /// The leaderboard without its `seconds` column (wall time is the one thing allowed to differ).
    static func withoutSeconds(_ csv: String) -> String {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard let column = lines.first?.firstIndex(of: "seconds") else { return csv }
        return lines.map { fields in fields.enumerated().filter { $0.offset != column }.map(\.element).joined(separator: ",") }
            .joined(separator: "\n")
    }

    @Test func theSameStudyAtParallelOneAndTwo() throws {
        guard let binary = TuneBinary.locate() else { return }
        var outputs: [(status: String, leaderboard: String, importance: String)] = []
        var folder = URL(fileURLWithPath: "/")
        for parallel in [1, 2] {
            folder = TuneBinary.temporaryFolder("tpe-parallel-\(parallel)")
            try writeSearch(in: folder)
            let search = try TuneBinary.run(binary, ["--space", "Searches/tpe.json", "--trials", "14", "--parallel", String(parallel)], in: folder)
            #expect(search.status == 0, "\(search.stderr)")
            let status = try TuneBinary.run(binary, ["status", "tpe"], in: folder)
            #expect(status.status == 0, "\(status.stderr)")
            let report = folder.appendingPathComponent("Reports/tpe")
            outputs.append((status.stdout,
                            Self.withoutSeconds(try String(contentsOf: report.appendingPathComponent("leaderboard.csv"), encoding: .utf8)),
                            try String(contentsOf: report.appendingPathComponent("importance.csv"), encoding: .utf8)))
        }
        #expect(outputs[0].status.contains("tpe + asha, seed 0, 14 of 14 trials created, deterministic"))
        #expect(outputs[0].status.contains("parameter importance (PED-ANOVA over"))
        #expect(outputs[0].leaderboard.split(separator: "\n").count == 15)
        #expect(outputs[1].status == outputs[0].status)
        #expect(outputs[1].leaderboard == outputs[0].leaderboard)
        #expect(outputs[1].importance == outputs[0].importance)

        // Resumed with another sampler, or with a bad TPE option: one error naming the field,
        // exit status 2, and the study as it was.
        for (sampler, field) in [("random", "changed: sampler"), (["name": "tpe", "n_startup_trials": 0] as Any, "sampler.n_startup_trials")] {
            try writeSearch(in: folder, sampler: sampler)
            let refused = try TuneBinary.run(binary, ["--space", "Searches/tpe.json", "--trials", "20"], in: folder)
            #expect(refused.status == 2 && refused.stderr.contains(field), "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            #expect(try TuneBinary.run(binary, ["status", "tpe"], in: folder).stdout == outputs[1].status)
        }
    }
}
