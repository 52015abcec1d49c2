import FileFormats
import Search

/// The report's CSV tables. Parameters are `params_NAME` columns (as Optuna names them, so a
/// parameter `lr` and the reported learning rate `lr` cannot clash); metric columns are sorted
/// by name; numbers are in shortest round-trip form; a missing value is an empty field.
extension StudyReport {
    /// `leaderboard.csv`: the trials that reported the metric, best first.
    public var leaderboardTable: CSVTable {
        let names = parameterNames
        var table = CSVTable(header: ["rank", "trial", "state", definition.metric.name, "best_epoch", "epochs", "seconds"]
                             + names.map { "params_\($0)" })
        for (index, record) in leaderboard.enumerated() {
            table.rows.append([String(index + 1), String(record.number), record.trial.state.rawValue,
                               ReportFormat.csvNumber(record.bestValue), record.bestEpoch.map(String.init) ?? "",
                               String(record.trial.epochsTrained), ReportFormat.csvNumber(record.seconds)]
                              + parameterFields(record, names: names))
        }
        return table
    }

    /// `importance.csv`: each searched parameter's share of the PED-ANOVA importance, most
    /// important first, with the rung and the number of trials it was computed over.
    public var importanceTable: CSVTable? {
        guard let importance else { return nil }
        var table = CSVTable(header: ["parameter", "importance", "epochs", "trials"])
        table.rows = importance.entries.map {
            [$0.parameter, ReportFormat.csvNumber($0.importance), String(importance.epochs), String(importance.trialCount)]
        }
        return table
    }

    /// `trials.csv`: every trial with its parameters, its metrics at its last report, its best
    /// value of the search metric and the reason it failed or was stopped.
    public var trialsTable: CSVTable {
        let names = parameterNames, metrics = metricNames
        let metric = definition.metric.name
        var table = CSVTable(header: ["trial", "state"] + names.map { "params_\($0)" } + ["epochs", "seconds"]
                             + metrics + ["best_\(metric)", "best_epoch", "reason"])
        for record in records {
            let last = record.trial.reports.last?.metrics ?? [:]
            table.rows.append([String(record.number), record.trial.state.rawValue] + parameterFields(record, names: names)
                              + [String(record.trial.epochsTrained), ReportFormat.csvNumber(record.seconds)]
                              + metrics.map { ReportFormat.csvNumber(last[$0]) }
                              + [ReportFormat.csvNumber(record.bestValue), record.bestEpoch.map(String.init) ?? "",
                                 record.trial.reason ?? ""])
        }
        return table
    }

    /// `epochs.csv`: every reported epoch of every trial, with its wall time when logged.
    public var epochsTable: CSVTable {
        let metrics = metricNames
        var table = CSVTable(header: ["trial", "epoch", "seconds"] + metrics)
        for record in records {
            for report in record.trial.reports {
                let seconds = record.log.entry(epoch: report.epoch)?.seconds
                table.rows.append([String(record.number), String(report.epoch), ReportFormat.csvNumber(seconds)]
                                  + metrics.map { ReportFormat.csvNumber(report.metrics[$0]) })
            }
        }
        return table
    }

    private func parameterFields(_ record: TrialRecord, names: [String]) -> [String] {
        names.map { name in record.trial.parameters[name].map(ReportFormat.parameter) ?? "" }
    }
}
