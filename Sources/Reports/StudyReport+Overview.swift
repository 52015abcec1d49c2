import FileFormats
import Search

/// The "What was searched" part of README.md: method, metric, budget, data, seed, trials, the
/// determinism note and the parameter space.
extension StudyReport {
    var overviewSection: String {
        let budget = definition.budget
        let totals = epochTotals
        let finished = records.filter { $0.trial.state.isFinished }.count
        var settings = MarkdownTable(header: ["setting", "value"])
        settings.rows = [
            ["method", "`\(definition.methodName)`"],
            ["sampler", "`\(definition.sampler.rawValue)`: \(scheduler.samplerDescription)"],
            ["scheduler", "`\(definition.scheduler.rawValue)`: \(scheduler.schedulerDescription)"],
            ["metric", "`\(definition.metric.name)`, \(definition.metric.goal.rawValue)"],
            ["epochs per trial", budget.minimumEpochs == budget.maximumEpochs ? "\(budget.maximumEpochs)"
                : "\(budget.minimumEpochs) to \(budget.maximumEpochs), eta \(budget.eta) (rungs at \(budget.rungEpochs.map(String.init).joined(separator: ", ")) epochs)"],
            ["data", dataDescription],
            ["seed", String(snapshot.header.seed)],
            ["trials", "\(records.count) created of a budget of \(trialBudget); \(finished) finished"],
            ["epochs trained", "\(totals.trained) (every trial to \(budget.maximumEpochs) epochs would take \(totals.full))"],
        ]
        // Runs of releases that did not record the split have no fingerprint: no row then.
        if let validation = Self.describeFingerprints(records.map { ($0.number, $0.log.entries.compactMap(\.validationFingerprint)) }) {
            settings.rows.append(["validation samples", validation])
        }
        if let test = Self.describeFingerprints(records.map { ($0.number, $0.log.entries.compactMap(\.testFingerprint)) }) {
            settings.rows.append(["test samples", test])
        }
        var lines = ["## What was searched", "", settings.text]
        lines.append(scheduler.isDeterministic ? scheduler.determinismNote : "**\(scheduler.determinismNote)**")
        lines += ["", "### Parameters", "", parameterSpaceTable.text]
        return lines.joined(separator: "\n")
    }

    /// One fingerprint for the whole study ("fingerprint `X`, the same for every trial"), or each
    /// fingerprint with the trials that logged it; nil when no trial logged one.
    static func describeFingerprints(_ logged: [(trial: Int, fingerprints: [String])]) -> String? {
        var trialsOf: [String: [Int]] = [:]
        for (trial, fingerprints) in logged {
            for fingerprint in Set(fingerprints) { trialsOf[fingerprint, default: []].append(trial) }
        }
        guard !trialsOf.isEmpty else { return nil }
        if trialsOf.count == 1, let only = trialsOf.keys.first {
            return "fingerprint `\(only)`, the same for every trial"
        }
        let groups = trialsOf.sorted { ($0.value.first ?? 0, $0.key) < ($1.value.first ?? 0, $1.key) }
        return "**differ between trials:** " + groups.map { fingerprint, trials in
            "`\(fingerprint)` trial\(trials.count == 1 ? "" : "s") \(trials.sorted().map(String.init).joined(separator: ", "))"
        }.joined(separator: "; ")
    }

    private var dataDescription: String {
        guard case .object(let members)? = definition.data else {
            return definition.data == nil ? "the built-in synthetic traffic" : (definition.data?.canonicalText ?? "")
        }
        let keys = members.keys.sorted { ($0 == "format" ? 0 : 1, $0) < ($1 == "format" ? 0 : 1, $1) }
        return keys.compactMap { key in
            members[key].map { "\(key) `\(ReportFormat.parameter($0))`" }
        }.joined(separator: ", ")
    }

    /// Every parameter of the search file with its distribution and range or values.
    var parameterSpaceTable: MarkdownTable {
        var table = MarkdownTable(header: ["parameter", "distribution", "values"])
        for parameter in definition.parameters {
            table.rows.append([parameter.name, parameter.distribution.name, Self.describe(parameter.distribution)
                                + (parameter.condition.map { " (only when \($0.text))" } ?? "")])
        }
        return table
    }

    static func describe(_ distribution: ParameterDistribution) -> String {
        let number = ReportFormat.readableNumber
        switch distribution {
        case .constant(let value): return ReportFormat.parameter(value)
        case .categorical(let values): return values.map(ReportFormat.parameter).joined(separator: ", ")
        case .uniform(let minimum, let maximum): return "\(number(minimum)) to \(number(maximum))"
        case .integerUniform(let minimum, let maximum): return "\(minimum) to \(maximum)"
        case .logUniform(let minimum, let maximum): return "\(number(minimum)) to \(number(maximum)), log scale"
        case .quantizedUniform(let minimum, let maximum, let step): return "\(number(minimum)) to \(number(maximum)), step \(number(step))"
        }
    }
}
