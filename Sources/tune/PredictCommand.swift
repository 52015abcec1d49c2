import ArgumentParser
import FileFormats
import FlowData
import Foundation
import Training

/// `tune predict`: scores new traffic with a trained model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score flows or arrays with a model trained by `tune train`.",
        discussion: """
            The input is prepared exactly as the training data was (same columns, encodings and \
            scaler, stored in the checkpoint). Writes one CSV row per sample: where it came from, \
            the predicted class and the probability of each class. When the input has labels, \
            prints accuracy and macro-F1.
            """)

    @Option(help: "A checkpoint written by `tune train` (best.safetensors).") var model: String
    @Option(parsing: .upToNextOption, help: "Input: CSV files or globs of the training format, or one .npy X file.")
    var input: [String]
    @Option(help: "npy input: the label file (optional).") var labels: String?
    @Option(help: "Where to write the predictions CSV (default: stdout).") var output: String?
    @Option(help: "BLAS threads.") var threads = 1

    func validate() throws {
        if input.isEmpty { throw ValidationError("--input needs at least one file") }
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let predictor = try Predictor(checkpoint: model, threads: threads)
        let prepared = try predictor.pipeline.prepare(files: input, labels: labels)
        let probabilities = try predictor.probabilities(prepared.samples)
        let classes = predictor.classNames.count
        let hasLabels = !prepared.samples.labels.isEmpty

        var table = CSVTable(header: ["origin", "predicted"] + (hasLabels ? ["label"] : [])
                                 + predictor.classNames.map { "p_\($0)" }, style: .predictions)
        var predicted: [Int] = []
        for sample in 0..<prepared.samples.count {
            let row = Array(probabilities[(sample * classes)..<((sample + 1) * classes)])
            let best = row.indices.max { row[$0] < row[$1] } ?? 0
            predicted.append(best)
            var fields = [prepared.origins[sample], predictor.classNames[best]]
            if hasLabels {
                let label = Int(prepared.samples.labels[sample])
                fields.append(label >= 0 ? predictor.classNames[label] : "(unknown)")
            }
            fields += row.map { String(format: "%.6f", $0) }
            table.rows.append(fields)
        }
        let text = table.text
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw DataError.unwritableFile(path: output, reason: error.localizedDescription)
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        printSummary(prepared: prepared, predicted: predicted, probabilities: probabilities, predictor: predictor)
    }

    private func printSummary(prepared: PredictionInput, predicted: [Int], probabilities: [Float], predictor: Predictor) {
        let classes = predictor.classNames.count
        var counts = [Int](repeating: 0, count: classes)
        for index in predicted { counts[index] += 1 }
        printError("predicted \(predicted.count) samples: "
                   + zip(predictor.classNames, counts).map { "\($0) \($1)" }.joined(separator: ", "))
        if !prepared.skippedRows.isEmpty {
            printError("skipped \(prepared.skippedRows.count) rows with NaN or infinite values (first: \(prepared.skippedRows[0]))")
        }
        for (column, count) in prepared.unknownCategories.sorted(by: { $0.key < $1.key }) {
            printError("\(count) rows have a \(column) never seen in training (encoded as all zeros)")
        }
        let labels = prepared.samples.labels
        guard !labels.isEmpty else { return }
        let known = labels.indices.filter { labels[$0] >= 0 }
        if known.count < labels.count {
            printError("\(labels.count - known.count) samples have labels that are not training classes; left out of the metrics")
        }
        guard !known.isEmpty else { return }
        let metrics = ClassificationMetrics(
            probabilities: known.flatMap { probabilities[($0 * classes)..<(($0 + 1) * classes)] },
            labels: known.map { labels[$0] }, classCount: classes)
        printError(String(format: "accuracy %.4f  macro-F1 %.4f  weighted-F1 %.4f  ROC-AUC %@",
                          metrics.accuracy, metrics.f1Macro, metrics.f1Weighted,
                          metrics.rocAUC.map { String(format: "%.4f", $0) } ?? "n/a"))
    }
}
