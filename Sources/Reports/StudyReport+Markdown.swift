import FileFormats
import Search

/// README.md: a headline, then one section per part of the report, in GitHub-flavoured Markdown.
extension StudyReport {
    /// How many trials README.md's leaderboard lists (leaderboard.csv has them all).
    static let leaderboardLength = 10

    /// The whole README.md.
    public var markdown: String {
        let sections = [headline, overviewSection, leaderboardSection, variantsSection, halvingSection,
                        bestTrialSection, failedSection, importanceSection, parametersSection, filesSection]
        var text = sections.compactMap { $0 }.joined(separator: "\n\n")
        while text.contains("\n\n\n") { text = text.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        return text + "\n"
    }

    private var headline: String {
        var blocks = ["# Search report: \(snapshot.header.name)"]
        if let description = definition.description, !description.isEmpty {
            blocks.append(description.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "> " + Self.text(String($0)) }.joined(separator: "\n"))
        }
        let best: String
        if let leader = leaderboard.first {
            best = "**Best:** trial \(leader.number)" + (leader.variant.map { " (\($0))" } ?? "")
                + ", \(definition.metric.name) **\(ReportFormat.metric(leader.bestValue))**"
                + (leader.bestEpoch.map { " at epoch \($0)" } ?? "") + " of \(leader.trial.epochsTrained)."
        } else {
            best = "**No trial has reported \(definition.metric.name) yet.**"
        }
        let counts = TrialState.allCases.compactMap { state -> String? in
            let count = records.filter { $0.trial.state == state }.count
            return count > 0 ? "\(count) \(state.rawValue)" : nil
        }
        let trials = "**Trials:** \(records.count) of \(trialBudget)" + (counts.isEmpty ? "." : ": " + counts.joined(separator: ", ") + ".")
        blocks.append(best + "  \n" + trials)  // two spaces: a line break in Markdown
        return blocks.joined(separator: "\n\n")
    }

    private var leaderboardSection: String {
        let hasVariant = records.contains { $0.variant != nil }
        let keys = searchedParameters.map(\.name).filter { $0 != "variant" }
        var table = MarkdownTable(
            header: ["rank", "trial"] + (hasVariant ? ["variant"] : []) + keys + [definition.metric.name, "epochs", "time", "state"],
            alignments: [.right, .right] + (hasVariant ? [.left] : []) + keys.map { alignment(ofParameter: $0) } + [.right, .right, .right, .left])
        for (index, record) in leaderboard.prefix(Self.leaderboardLength).enumerated() {
            table.rows.append([String(index + 1), String(record.number)] + (hasVariant ? [record.variant ?? "—"] : [])
                              + keys.map { key in record.trial.parameters[key].map(ReportFormat.readableParameter) ?? "—" }
                              + [ReportFormat.metric(record.bestValue), String(record.trial.epochsTrained),
                                 ReportFormat.duration(record.seconds), record.trial.state.rawValue])
        }
        var lines = ["## Leaderboard", ""]
        if leaderboard.isEmpty {
            lines.append("No trial has reported \(definition.metric.name) yet.")
        } else {
            lines.append(table.text)
            lines.append("Each trial's best \(definition.metric.name) over its epochs; time is the sum of its epochs' wall time."
                         + (leaderboard.count > Self.leaderboardLength
                            ? " The \(Self.leaderboardLength) best of \(leaderboard.count); all are in [leaderboard.csv](leaderboard.csv)." : ""))
        }
        lines += ["", image(historyPlot), "", image(learningCurvesPlot)]
        return lines.joined(separator: "\n")
    }

    private var variantsSection: String? {
        guard let plot = variantsPlot else { return nil }
        var table = MarkdownTable(header: ["variant", "trials", "reported", "best", "mean", "std"],
                                  alignments: [.left, .right, .right, .right, .right, .right])
        for name in variants {
            let members = records.filter { $0.variant == name }
            let values = members.compactMap(\.bestValue)
            let statistics = SampleStatistics(values)
            let best = values.reduce(nil as Double?) { best, value in
                best.map { definition.metric.isBetter(value, than: $0) ? value : $0 } ?? value
            }
            table.rows.append([name, String(members.count), String(values.count), ReportFormat.metric(best),
                               ReportFormat.metric(statistics?.mean), ReportFormat.metric(statistics?.standardDeviation)])
        }
        return ["## Variants", "", table.text,
                "Best, mean and sample standard deviation (n − 1) of each trial's best \(definition.metric.name), whatever its epochs.",
                "", image(plot)].joined(separator: "\n")
    }

    private var halvingSection: String? {
        guard definition.scheduler.halves else { return nil }
        let brackets = scheduler.brackets(snapshot: snapshot, trialBudget: trialBudget)
        let showsBracket = definition.scheduler == .hyperband
        var table = MarkdownTable(
            header: (showsBracket ? ["bracket"] : []) + ["rung", "epochs", "entered", "reported", "promoted", "best \(definition.metric.name)", "closed"],
            alignments: (showsBracket ? [.right] : []) + [.right, .right, .right, .right, .right, .right, .left])
        for summary in brackets {
            for (level, rung) in summary.rungs.enumerated() {
                let isTop = level == summary.rungs.count - 1
                let best = rung.results.compactMap(\.value).reduce(nil as Double?) { best, value in
                    best.map { definition.metric.isBetter(value, than: $0) ? value : $0 } ?? value
                }
                table.rows.append((showsBracket ? [String(summary.bracket.index)] : [])
                                  + [String(level + 1), String(rung.epochs), String(rung.arrivals.count), String(rung.results.count),
                                     isTop ? "—" : String(rung.promoted.count), ReportFormat.metric(best), rung.isClosed ? "yes" : "no"])
            }
        }
        let totals = epochTotals
        var lines = ["## Successive halving", ""]
        if brackets.isEmpty {
            lines.append("No trial has started yet.")
        } else {
            lines.append(table.text)
            lines.append("Entered: trials that reached the rung or are on their way to it; reported: those with a result there "
                         + "(a failed trial counts, without a value); promoted: sent on to the next rung. A closed rung has decided.")
        }
        lines.append("")
        lines.append("Epochs trained: **\(totals.trained)** of \(totals.full) (\(records.count) trials × \(definition.budget.maximumEpochs) epochs); "
                     + "stopping weak trials early saved **\(ReportFormat.percent(Double(totals.full - totals.trained), of: Double(totals.full)))** "
                     + "of full-budget training.")
        return lines.joined(separator: "\n")
    }

    private var failedSection: String? {
        let failed = records.filter { $0.trial.state == .failed }
        guard !failed.isEmpty else { return nil }
        var table = MarkdownTable(header: ["trial", "epochs", "reason"], alignments: [.right, .right, .left])
        for record in failed {
            table.rows.append([String(record.number), String(record.trial.epochsTrained),
                               Self.text(record.trial.reason ?? "no reason recorded")])
        }
        return ["## Failed trials", "", table.text].joined(separator: "\n")
    }

    private var importanceSection: String? {
        guard let importance, let plot = importancePlot else { return nil }
        var table = MarkdownTable(header: ["parameter", "importance"], alignments: [.left, .right])
        table.rows = importance.entries.map { ["`\($0.parameter)`", String(format: "%.3f", $0.importance)] }
        return ["## Parameter importance", "",
                "PED-ANOVA (Watanabe et al., IJCAI 2023; Optuna 5's default evaluator, its defaults): how differently each "
                    + "parameter is distributed among the best 10 % of the \(importance.trialCount) trials than among all of them, "
                    + "at \(importance.epochs) epochs; shares of the total.",
                "", table.text, "", image(plot)].joined(separator: "\n")
    }

    private var parametersSection: String? {
        let plots = parameterPlots
        guard !plots.isEmpty else { return nil }
        return "## Parameters against \(definition.metric.name)\n\n" + plots.map(image).joined(separator: "\n\n")
    }

    private var filesSection: String {
        var lines = ["## Files", "",
                     "- [leaderboard.csv](leaderboard.csv): the trials that reported \(definition.metric.name), best first",
                     "- [trials.csv](trials.csv): every trial, its parameters (`params_*`), metrics at its last epoch, best value, reason",
                     "- [epochs.csv](epochs.csv): every epoch every trial reported"]
        if importance != nil {
            lines.append("- [importance.csv](importance.csv): each parameter's PED-ANOVA importance")
        }
        if bestModel != nil {
            lines.append("- [best.safetensors](best.safetensors): the best trial's best epoch (loads with `tune predict --model`)")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - Helpers

    /// Right for a parameter whose values are all numbers, left otherwise.
    private func alignment(ofParameter name: String) -> MarkdownTable.Alignment {
        let allNumbers = records.allSatisfy { record in
            guard let value = record.trial.parameters[name] else { return true }
            if case .number = value { return true }
            return false
        }
        return allNumbers ? .right : .left
    }

    func image(_ plot: ReportPlot) -> String {
        "![\(plot.caption)](\(plot.fileName))"
    }

    /// Free text (descriptions, failure reasons) that GitHub must not read as HTML.
    static func text(_ text: String) -> String {
        text.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
