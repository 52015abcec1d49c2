import Foundation
import TestSupport
import Testing

/// `tune train` and `tune predict` as a user runs them: the release binary on real data.
/// Models are small and data capped per class so each run takes seconds; the point is the
/// mechanics (metrics, checkpoints, prediction, continuation), not the scores.
@Suite("tune train and tune predict, end to end", .serialized)
struct TrainAndPredictTests {
    /// Writes a run file into `folder` and returns its path.
    func runFile(_ members: [String: Any], in folder: URL) throws -> String {
        let url = folder.appendingPathComponent("run.json")
        try JSONSerialization.data(withJSONObject: members, options: [.sortedKeys]).write(to: url)
        return url.path
    }

    let smallModel: [String: Any] = ["conv_channels": [32, 64], "lstm_hidden": 32, "threads": 1, "seed": 1]

    func epochLines(_ result: TuneBinary.Result) -> [[String: Any]] {
        result.jsonLines.filter { $0["epoch"] != nil && $0["metrics"] != nil }
    }

    func expectSaneMetrics(_ metrics: [String: Any], test: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        var names = ["train_loss", "val_loss", "val_accuracy", "val_f1_macro", "val_f1_weighted", "val_precision_macro",
                     "val_recall_macro", "val_roc_auc"]
        if test { names += ["test_accuracy", "test_f1_macro", "test_loss"] }
        for name in names {
            guard let value = metrics[name] as? Double else {
                Issue.record("metric \(name) missing", sourceLocation: sourceLocation)
                continue
            }
            #expect(value.isFinite && value >= 0, "\(name) = \(value)", sourceLocation: sourceLocation)
            if !name.hasSuffix("loss") { #expect(value <= 1, "\(name) = \(value)", sourceLocation: sourceLocation) }
        }
    }

    @Test func nslKDDBinaryTrainsAndPredictReproducesTheTestAccuracy() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("nsl")
        var run = smallModel
        run["data"] = ["format": "nsl-kdd", "binary": true, "max_per_class": 600,
                       "train": data.appendingPathComponent("nsl-kdd/KDDTrain+_20Percent.txt").path,
                       "test": data.appendingPathComponent("nsl-kdd/KDDTest+.txt").path]
        run["epochs"] = 2
        run["output"] = folder.appendingPathComponent("out").path
        let trained = try TuneBinary.run(binary, ["train", "--config", try runFile(run, in: folder)])
        #expect(trained.status == 0, "\(trained.stderr)")
        let epochs = epochLines(trained)
        #expect(epochs.count == 2)
        for line in epochs { expectSaneMetrics(line["metrics"] as? [String: Any] ?? [:], test: true) }
        let final = try #require(trained.jsonLines.last)
        #expect(final["status"] as? String == "complete")
        let bestEpoch = try #require(final["best_epoch"] as? Int)
        let checkpoint = folder.appendingPathComponent("out/best.safetensors")
        #expect(FileManager.default.fileExists(atPath: checkpoint.path))

        // Predicting the test file from the checkpoint gives the test accuracy of the best epoch.
        let predictions = folder.appendingPathComponent("predictions.csv")
        let predicted = try TuneBinary.run(binary, ["predict", "--model", checkpoint.path, "--input",
                                                    data.appendingPathComponent("nsl-kdd/KDDTest+.txt").path,
                                                    "--output", predictions.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let rows = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\r\n").dropFirst()
        #expect(rows.count == 22_544)
        let correct = rows.filter { row in
            let fields = row.split(separator: ",")
            return fields.count >= 3 && fields[fields.count - 4] == fields[fields.count - 3]
        }.count
        let expected = try #require((epochs[bestEpoch - 1]["metrics"] as? [String: Any])?["test_accuracy"] as? Double)
        #expect(abs(Double(correct) / Double(rows.count) - expected) < 1e-9)
        #expect(predicted.stderr.contains(String(format: "accuracy %.4f", expected)))
    }

    @Test func cicIDS2017SixteenClassesTrainsAndPredicts() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("cic")
        var run = smallModel
        run["data"] = ["format": "cicflowmeter", "max_per_class": 60,
                       "train": data.appendingPathComponent("cicids2017-improved/*.csv").path]
        run["epochs"] = 2
        run["output"] = folder.appendingPathComponent("out").path
        let trained = try TuneBinary.run(binary, ["train", "--config", try runFile(run, in: folder)])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stderr.contains("16 classes"), "\(trained.stderr)")
        for line in epochLines(trained) { expectSaneMetrics(line["metrics"] as? [String: Any] ?? [:], test: false) }

        let heartbleed = data.appendingPathComponent("cicids2017-improved/Heartbleed_11.csv").path
        let predicted = try TuneBinary.run(binary, ["predict", "--model", folder.appendingPathComponent("out/best.safetensors").path,
                                                    "--input", heartbleed])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let rows = predicted.stdout.split(separator: "\r\n")
        #expect(rows.count == 12)  // header + 11 flows
        #expect(rows.first?.hasPrefix("origin,predicted,label,p_") == true)
        #expect(predicted.stderr.contains("accuracy"))
    }

    @Test func resumingMatchesAStraightRunAndSeedsDecide() throws {
        guard let binary = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("resume")
        var run = smallModel
        run["data"] = ["format": "synthetic", "flows": 1500]
        run["variant"] = "attention"
        run["heads"] = 2
        run["head_dim"] = 8
        let path = try runFile(run, in: folder)
        func metrics(_ result: TuneBinary.Result) -> [NSDictionary] {
            epochLines(result).map { ($0["metrics"] as? NSDictionary) ?? [:] }
        }
        let straight = try TuneBinary.run(binary, ["train", "--config", path, "--epochs", "3", "--output", folder.appendingPathComponent("a").path])
        let first = try TuneBinary.run(binary, ["train", "--config", path, "--epochs", "1", "--output", folder.appendingPathComponent("b").path])
        let rest = try TuneBinary.run(binary, ["train", "--resume", folder.appendingPathComponent("b").path, "--epochs", "3"])
        #expect([straight.status, first.status, rest.status] == [0, 0, 0], "\(rest.stderr)")
        #expect(metrics(straight).count == 3)
        #expect(metrics(first) + metrics(rest) == metrics(straight))
        let again = try TuneBinary.run(binary, ["train", "--config", path, "--epochs", "1", "--output", folder.appendingPathComponent("c").path])
        #expect(metrics(again) == metrics(first))
        let otherSeed = try TuneBinary.run(binary, ["train", "--config", path, "--epochs", "1", "--seed", "2",
                                                    "--output", folder.appendingPathComponent("d").path])
        #expect(metrics(otherSeed) != metrics(first))
    }

    @Test func badInputExitsTwoWithOneLineAndDivergenceExitsThree() throws {
        guard let binary = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("bad")
        let broken = folder.appendingPathComponent("broken.json")
        try "{\n \"data\": {\"format\": \"synthetic\"},\n \"epochs\": 2,\n}".write(to: broken, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["train", "--config", folder.appendingPathComponent("missing.json").path], "missing.json does not exist"),
            (["train", "--config", broken.path], "broken.json line 4, column 1"),
            (["train", "--config", try runFile(["data": ["format": "synthetic"], "learning_rate": 0.1], in: folder)],
             "'learning_rate' is not a known setting"),
            (["train"], "give either --config"),
            (["predict", "--model", broken.path, "--input", "x.csv"], "not a valid safetensors file"),
        ]
        for (arguments, fragment) in cases {
            let result = try TuneBinary.run(binary, arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        }
        var run = smallModel
        run["data"] = ["format": "synthetic", "flows": 600]
        run["lr"] = 1e38
        run["clip_norm"] = NSNull()
        run["output"] = folder.appendingPathComponent("diverged").path
        let diverged = try TuneBinary.run(binary, ["train", "--config", try runFile(run, in: folder), "--epochs", "3"])
        #expect(diverged.status == 3, "\(diverged.stderr)")
        #expect(diverged.jsonLines.last?["status"] as? String == "diverged")
    }
}
