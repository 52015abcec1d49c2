import Foundation
import TrialProtocol
import FileFormats
import Reports
import Search

/// A fixed, finished ASHA study for the report tests: nine trials over three variants (rungs at
/// 1, 3 and 9 epochs), built entry by entry in an in-memory journal, plus trial folders with
/// `epochs.jsonl` files and a best model whose header carries class names.
///
/// Trial 1 (bilstm) climbs every rung and completes; trial 5 is promoted and diverges at epoch
/// 3; trial 4 fails before its first epoch; the rest are pruned at the first rung. Trials 4 and 8
/// have no folder (a trial with no log must not break the report).
enum StudyReportFixture {
    static let searchFile = """
        { "name": "golden", "method": "asha",
          "description": "A fixed study for golden files: three variants, <9 epochs> & one failure.",
          "metric": { "name": "val_f1_macro", "goal": "maximize" },
          "budget": { "min_epochs": 1, "max_epochs": 9, "eta": 3 },
          "data": { "format": "synthetic", "flows": 3000 },
          "parameters": {
            "variant":       { "values": ["lstm", "bilstm", "attention"] },
            "lr":            { "distribution": "log_uniform_values", "min": 0.0001, "max": 0.01 },
            "dropout":       { "distribution": "uniform", "min": 0.0, "max": 0.5 },
            "lstm_hidden":   { "values": [32, 64] },
            "conv_channels": { "values": [[32, 64], [64, 128]] },
            "batch_size":    { "value": 64 } } }
        """

    static let classNames = ["benign", "dos", "probe"]

    /// One trial: its parameters and its `val_f1_macro` after each epoch it trains.
    struct Plan {
        var variant: String
        var lr: Double
        var dropout: Double
        var hidden: Int
        var channels: [Int]
        var curve: [Double]

        var parameters: TrialParameters {
            ["variant": .string(variant), "lr": .number(lr), "dropout": .number(dropout),
             "lstm_hidden": .number(Double(hidden)), "conv_channels": .array(channels.map { .number(Double($0)) }),
             "batch_size": .number(64)]
        }
    }

    static let plans: [Plan] = [
        Plan(variant: "lstm", lr: 0.00123, dropout: 0.1, hidden: 32, channels: [32, 64], curve: [0.8]),
        Plan(variant: "bilstm", lr: 0.0031622776601683794, dropout: 0.25, hidden: 64, channels: [64, 128],
             curve: [0.86, 0.9, 0.93, 0.94, 0.95, 0.955, 0.96, 0.9725, 0.97]),
        Plan(variant: "attention", lr: 0.0002, dropout: 0.45, hidden: 32, channels: [32, 64], curve: [0.7]),
        Plan(variant: "lstm", lr: 0.008, dropout: 0.3, hidden: 64, channels: [32, 64], curve: [0.75]),
        Plan(variant: "bilstm", lr: 0.0005, dropout: 0.05, hidden: 32, channels: [64, 128], curve: []),
        Plan(variant: "attention", lr: 0.002, dropout: 0.2, hidden: 64, channels: [64, 128], curve: [0.9, 0.91]),
        Plan(variant: "lstm", lr: 0.0007, dropout: 0.35, hidden: 32, channels: [64, 128], curve: [0.83]),
        Plan(variant: "bilstm", lr: 0.0045, dropout: 0.15, hidden: 64, channels: [32, 64], curve: [0.88]),
        Plan(variant: "attention", lr: 0.0001, dropout: 0.4, hidden: 32, channels: [32, 64], curve: [0.1 + 0.2]),
    ]

    /// Trials whose folder is left out.
    static let trialsWithoutFolder: Set<Int> = [4, 8]

    static func definition() throws -> SearchDefinition {
        try SearchDefinition(document: JSONValue.parse(Data(searchFile.utf8), source: "Searches/golden.json"),
                             source: "Searches/golden.json")
    }

    /// The study, its journal written in the order a coordinator would have written it.
    static func study() throws -> Study {
        var study = try Study.open(journal: InMemoryJournal(), definition: definition(), seed: 3)
        let worker = "host:1"
        for (number, plan) in plans.enumerated() {
            var operations: [JournalOperation] = [.createTrial(number: number, parameters: plan.parameters),
                                                  .claimTrial(number: number, targetEpochs: 1, worker: worker)]
            operations += reports(number, epochs: 1...1)
            operations.append(number == 4
                ? .setState(number: number, state: .failed, reason: "exit status 2; stderr: data file | not readable")
                : .setState(number: number, state: .paused, reason: nil))
            try study.append(operations)
        }
        try study.append([.claimTrial(number: 1, targetEpochs: 3, worker: worker)] + reports(1, epochs: 2...3)
                         + [.setState(number: 1, state: .paused, reason: nil),
                            .claimTrial(number: 5, targetEpochs: 3, worker: worker)] + reports(5, epochs: 2...3)
                         + [.setState(number: 5, state: .failed, reason: "diverged (NaN or infinite loss); stderr: epoch 3: loss is nan")])
        try study.append([0, 2, 3, 6, 7, 8].map {
            .setState(number: $0, state: .pruned, reason: "not promoted: others did better at this rung")
        })
        try study.append([.claimTrial(number: 1, targetEpochs: 9, worker: worker)] + reports(1, epochs: 4...9)
                         + [.setState(number: 1, state: .paused, reason: nil), .setState(number: 1, state: .complete, reason: nil)])
        return study
    }

    /// The journal reports of trial `number` for the epochs of `epochs` its curve has.
    static func reports(_ number: Int, epochs: ClosedRange<Int>) -> [JournalOperation] {
        epochs.filter { $0 <= plans[number].curve.count }.map { epoch in
            .reportEpoch(number: number, epoch: epoch, metrics: metrics(number, epoch: epoch))
        }
    }

    /// The flat metrics trial `number` reports after `epoch` (test metrics only for trial 1).
    static func metrics(_ number: Int, epoch: Int) -> [String: Double] {
        let f1 = plans[number].curve[epoch - 1]
        var values = ["val_f1_macro": f1, "val_accuracy": f1 + 0.015625, "val_loss": 1 - f1,
                      "train_loss": 1.25 - f1, "lr": plans[number].lr]
        if number == 1 { values["test_f1_macro"] = f1 - 0.03125 }
        return values
    }

    /// Seconds of epoch `epoch` of trial `number`: exact binary fractions, so sums print exactly.
    static func seconds(_ number: Int, epoch: Int) -> Double {
        10.5 + Double(number) * 0.25 + Double(epoch) * 0.125
    }

    /// Writes `STUDY/trials/N/run/epochs.jsonl` for every trial with a folder, and trial 1's
    /// `best.safetensors` (a header with class names and no tensors).
    static func writeTrialFolders(in studyDirectory: URL) throws {
        for (number, plan) in plans.enumerated() where !trialsWithoutFolder.contains(number) {
            let run = StudyFolder(directory: studyDirectory).runFiles(number).directory
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let lines = (1...max(plan.curve.count, 1)).filter { $0 <= plan.curve.count }.map { epochLine(number, epoch: $0) }
            try (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).write(
                to: run.appendingPathComponent("epochs.jsonl"), atomically: true, encoding: .utf8)
        }
        let names = try JSONSerialization.data(withJSONObject: classNames)
        try writeSafetensors(metadata: ["class_names": String(decoding: names, as: UTF8.self), "epoch": "8"],
                             to: StudyFolder(directory: studyDirectory).runFiles(1).bestModel)
    }

    /// One `epochs.jsonl` line as the trainer writes it (a subset of its fields).
    static func epochLine(_ number: Int, epoch: Int) -> String {
        let flat = metrics(number, epoch: epoch)
        var line: [String: Any] = ["epoch": epoch, "seconds": seconds(number, epoch: epoch), "lr": plans[number].lr,
                                   "train_loss": flat["train_loss"] ?? 0, "val_loss": flat["val_loss"] ?? 0,
                                   "validation": breakdown(number, epoch: epoch, shift: 0)]
        if number == 1 { line["test"] = breakdown(number, epoch: epoch, shift: 1) }
        let data = (try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Per-class results of a three-class confusion matrix that improves with the epoch.
    static func breakdown(_ number: Int, epoch: Int, shift: Int) -> [String: Any] {
        let errors = max(0, 10 - epoch) + shift
        let matrix = [[100 - errors, errors, 0], [2, 40 - 2, 0], [0, errors / 2, 20 - errors / 2]]
        var precision: [Double] = [], recall: [Double] = [], f1: [Double] = [], support: [Int] = []
        for k in 0..<3 {
            let predicted = matrix.reduce(0) { $0 + $1[k] }, actual = matrix[k].reduce(0, +)
            let p = Double(matrix[k][k]) / Double(predicted), r = Double(matrix[k][k]) / Double(actual)
            precision.append(p)
            recall.append(r)
            f1.append(2 * p * r / (p + r))
            support.append(actual)
        }
        return ["precision": precision, "recall": recall, "f1": f1, "support": support, "confusion_matrix": matrix,
                "f1_macro": metrics(number, epoch: epoch)["val_f1_macro"] ?? 0]
    }

    /// A safetensors file with no tensors: the 8-byte little-endian header length, then the header.
    static func writeSafetensors(metadata: [String: String], to url: URL) throws {
        let header = try JSONSerialization.data(withJSONObject: ["__metadata__": metadata], options: [.sortedKeys])
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(header)
        try bytes.write(to: url)
    }

    /// The study, its folders in a fresh temporary directory, and the report of both.
    static func report() throws -> (report: StudyReport, studyDirectory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-report-\(UUID().uuidString)")
        try writeTrialFolders(in: directory)
        let report = try StudyReport(study: study(), studyDirectory: directory, trialBudget: 9)
        return (report, directory)
    }
}
