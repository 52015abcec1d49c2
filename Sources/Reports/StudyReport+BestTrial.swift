import Search

/// The best trial's part of README.md: its parameters and, at its best epoch, per-class
/// precision, recall, F1 and support with the confusion matrix, on validation and test data.
extension StudyReport {
    var bestTrialSection: String? {
        guard let best = leaderboard.first else { return nil }
        var lines = ["## Best trial: \(best.number)", ""]
        let parameters = best.trial.parameters.keys.sorted().compactMap { key in
            best.trial.parameters[key].map { "`\(key)` \(ReportFormat.readableParameter($0))" }
        }
        if !parameters.isEmpty { lines.append("Parameters: " + parameters.joined(separator: ", ") + ".") }
        if bestModel != nil {
            lines.append("Model: [best.safetensors](best.safetensors)" + (best.bestEpoch.map { " (epoch \($0))" } ?? "") + ".")
        }
        guard let epoch = best.bestEpoch, let entry = best.log.entry(epoch: epoch),
              entry.validation != nil || entry.test != nil else {
            lines += ["", "No per-class results: the trial's `epochs.jsonl` has no line for its best epoch."]
            return lines.joined(separator: "\n")
        }
        for (title, breakdown) in [("Validation", entry.validation), ("Test", entry.test)] {
            guard let breakdown else { continue }
            let names = classNames(count: breakdown.classCount)
            lines += ["", "### \(title), epoch \(epoch)", "", perClassTable(breakdown, names: names).text,
                      "Confusion matrix (rows: true class, columns: predicted class):", "",
                      confusionTable(breakdown, names: names).text]
        }
        if classNames == nil {
            lines.append("Class names were not found in the model's metadata; classes are numbered.")
        }
        return lines.joined(separator: "\n")
    }

    /// The model's class names when they match `count`, else `class 0` ... `class count-1`.
    func classNames(count: Int) -> [String] {
        if let classNames, classNames.count == count { return classNames }
        return (0..<count).map { "class \($0)" }
    }

    func perClassTable(_ breakdown: ClassBreakdown, names: [String]) -> MarkdownTable {
        var table = MarkdownTable(header: ["class", "precision", "recall", "F1", "support"],
                                  alignments: [.left, .right, .right, .right, .right])
        for index in 0..<breakdown.classCount {
            table.rows.append([names[index], ReportFormat.metric(breakdown.precision[index]),
                               ReportFormat.metric(breakdown.recall[index]), ReportFormat.metric(breakdown.f1[index]),
                               String(breakdown.support[index])])
        }
        return table
    }

    func confusionTable(_ breakdown: ClassBreakdown, names: [String]) -> MarkdownTable {
        var table = MarkdownTable(header: ["true ↓ predicted →"] + names,
                                  alignments: [.left] + names.map { _ in .right })
        for (index, row) in breakdown.confusionMatrix.enumerated() {
            table.rows.append([names[index]] + row.map(String.init))
        }
        return table
    }
}
