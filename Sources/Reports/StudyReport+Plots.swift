import Search

/// One SVG plot of a report, its file name and the caption README.md gives it.
public struct ReportPlot: Sendable {
    public var fileName: String
    public var caption: String
    public var chart: SVGChart
}

/// The report's plots: optimisation history, learning curves of the top trials, the variants
/// compared, and each searched parameter against the metric.
extension StudyReport {
    /// How many of the best trials the learning curves show.
    static let learningCurveCount = 5

    /// The states in the order legends list them, with their colours.
    static let stateColors: [(state: TrialState, color: String)] = [
        (.complete, "#59a14f"), (.pruned, "#8c8c8c"), (.paused, "#4e79a7"),
        (.running, "#f28e2b"), (.waiting, "#bab0ac"), (.failed, "#e15759"),
    ]

    /// Every plot of the report, in the order README.md shows them.
    public var plots: [ReportPlot] {
        var plots = [historyPlot, learningCurvesPlot]
        if let variantsPlot { plots.append(variantsPlot) }
        if let importancePlot { plots.append(importancePlot) }
        plots += parameterPlots
        return plots
    }

    /// `history.svg`: each trial's best value by trial number, coloured by state, with the best so far.
    var historyPlot: ReportPlot {
        let metric = definition.metric
        var series = stateSeries { record in Double(record.number) }
        var bestSoFar: [ChartPoint] = []
        var best: Double?
        for record in records {
            guard let value = record.bestValue else { continue }
            if best.map({ metric.isBetter(value, than: $0) }) ?? true { best = value }
            if let best { bestSoFar.append(ChartPoint(x: Double(record.number), y: best)) }
        }
        series.append(ChartSeries(name: "best so far", mark: .step, color: "#1f3b57", points: bestSoFar, id: "best-so-far"))
        let chart = SVGChart(title: "Optimisation history", subtitle: "best \(metric.name) of each trial (\(metric.goal.rawValue))",
                             xAxis: ChartAxis(title: "trial", integers: true), yAxis: metricAxis, series: series)
        return ReportPlot(fileName: "history.svg", caption: "Optimisation history", chart: chart)
    }

    /// `importance.svg`: each parameter's PED-ANOVA importance as a bar, most important first.
    var importancePlot: ReportPlot? {
        guard let importance else { return nil }
        let points = importance.entries.enumerated().map { index, entry in
            ChartPoint(x: Double(index), y: entry.importance, tooltip: "\(entry.parameter): \(entry.importance)")
        }
        let chart = SVGChart(title: "Parameter importance",
                             subtitle: "PED-ANOVA over \(importance.trialCount) trials at \(importance.epochs) epochs (shares of the total)",
                             xAxis: ChartAxis(title: "parameter", categories: importance.entries.map(\.parameter)),
                             yAxis: ChartAxis(title: "importance", limits: 0...1),
                             series: [ChartSeries(name: "", mark: .bars, color: ChartPalette.color(0), points: points, id: "importance")])
        return ReportPlot(fileName: "importance.svg", caption: "Parameter importance", chart: chart)
    }

    /// `learning-curves.svg`: the metric by epoch for the best trials, rungs marked.
    var learningCurvesPlot: ReportPlot {
        let metric = definition.metric.name
        let series = leaderboard.prefix(Self.learningCurveCount).enumerated().map { index, record in
            let points = record.trial.reports.compactMap { report in
                report.metrics[metric].map { ChartPoint(x: Double(report.epoch), y: $0, tooltip: "trial \(record.number), epoch \(report.epoch): \($0)") }
            }
            let name = "trial \(record.number)" + (record.variant.map { " (\($0))" } ?? "")
            return ChartSeries(name: name, mark: .line, color: ChartPalette.color(index), points: points, id: "trial-\(record.number)")
        }
        let guides = definition.scheduler.halves ? definition.budget.rungEpochs.map(Double.init) : []
        let chart = SVGChart(title: "Learning curves", subtitle: "the \(Self.learningCurveCount) best trials"
                                + (guides.isEmpty ? "" : "; dashed lines: rungs"),
                             xAxis: ChartAxis(title: "epoch", integers: true, limits: 0...Double.infinity),
                             yAxis: metricAxis, series: series, xGuides: guides)
        return ReportPlot(fileName: "learning-curves.svg", caption: "Learning curves of the best trials", chart: chart)
    }

    /// `variants.svg`: each variant's trials and their mean +- standard deviation; nil when the
    /// search has no `variant` parameter.
    var variantsPlot: ReportPlot? {
        let names = variants
        guard !names.isEmpty else { return nil }
        var series: [ChartSeries] = []
        var summary: [ChartPoint] = []
        for (index, name) in names.enumerated() {
            let values = records.filter { $0.variant == name }.compactMap { record in record.bestValue.map { (record.number, $0) } }
            let offsets = Self.jitter(count: values.count)
            let points = zip(values, offsets).map { value, offset in
                ChartPoint(x: Double(index) + offset, y: value.1, tooltip: "trial \(value.0): \(value.1)")
            }
            series.append(ChartSeries(name: "", mark: .points, color: ChartPalette.color(index), points: points,
                                      id: "variant-\(ReportFormat.slug(name))"))
            if let statistics = SampleStatistics(values.map { $0.1 }) {
                // The whisker stays inside the metric's range (an F1 of mean + std above 1 means nothing).
                let spread = statistics.standardDeviation ?? 0
                let range = metricAxis.limits ?? -Double.infinity...Double.infinity
                summary.append(ChartPoint(x: Double(index), y: statistics.mean, low: max(statistics.mean - spread, range.lowerBound),
                                          high: min(statistics.mean + spread, range.upperBound),
                                          tooltip: "\(name): mean \(statistics.mean), std \(spread)"))
            }
        }
        series.insert(ChartSeries(name: "mean ± std", mark: .whiskers, color: "#333333", points: summary, id: "variant-mean"), at: 0)
        let chart = SVGChart(title: "Variants", subtitle: "best \(definition.metric.name) of each trial, by variant",
                             xAxis: ChartAxis(title: "variant", categories: names), yAxis: metricAxis, series: series)
        return ReportPlot(fileName: "variants.svg", caption: "Variants compared", chart: chart)
    }

    /// `param-NAME.svg` for each searched parameter but `variant`: its value against the best
    /// metric of each trial (log axis for log-uniform parameters; categories for listed values).
    var parameterPlots: [ReportPlot] {
        searchedParameters.filter { $0.name != "variant" }.map { parameter in
            let axis: ChartAxis
            let position: (TrialRecord) -> Double?
            switch parameter.distribution {
            case .categorical(let values):
                let labels = values.map(ReportFormat.readableParameter)
                axis = ChartAxis(title: parameter.name, categories: labels)
                let index = Dictionary(values.enumerated().map { ($1.canonicalText, $0) }, uniquingKeysWith: { first, _ in first })
                let plotted = records.filter { $0.bestValue != nil }
                let counts = Dictionary(grouping: plotted.compactMap { record in record.trial.parameters[parameter.name]?.canonicalText },
                                        by: { $0 }).mapValues(\.count)
                var seen: [String: Int] = [:]
                let offsets = counts.mapValues { Self.jitter(count: $0) }
                position = { record in
                    guard let key = record.trial.parameters[parameter.name]?.canonicalText, let slot = index[key] else { return nil }
                    let order = seen[key, default: 0]
                    seen[key] = order + 1
                    let jitter = offsets[key].flatMap { order < $0.count ? $0[order] : nil } ?? 0
                    return Double(slot) + jitter
                }
            default:
                let isLog: Bool
                if case .logUniform = parameter.distribution { isLog = true } else { isLog = false }
                var integers = false
                if case .integerUniform = parameter.distribution { integers = true }
                axis = ChartAxis(title: parameter.name + (isLog ? " (log scale)" : ""), kind: isLog ? .logarithmic : .linear,
                                 integers: integers, covers: Self.bounds(of: parameter.distribution))
                position = { record in
                    if case .number(let value)? = record.trial.parameters[parameter.name] { return value }
                    return nil
                }
            }
            let chart = SVGChart(title: "\(parameter.name) vs \(definition.metric.name)",
                                 subtitle: "best value of each trial, coloured by state",
                                 xAxis: axis, yAxis: metricAxis, series: stateSeries(position: position))
            return ReportPlot(fileName: "param-\(ReportFormat.slug(parameter.name)).svg",
                              caption: "\(parameter.name) against \(definition.metric.name)", chart: chart)
        }
    }

    // MARK: - Shared pieces

    /// The y axis of the search metric: within 0...1 for scores, at least 0 for losses.
    var metricAxis: ChartAxis {
        let name = definition.metric.name
        return ChartAxis(title: name, limits: name.hasSuffix("loss") ? 0...Double.infinity : 0...1)
    }

    /// One point series per trial state present (trials in record order), at x = `position`.
    func stateSeries(position: (TrialRecord) -> Double?) -> [ChartSeries] {
        Self.stateColors.compactMap { state, color in
            let points = records.filter { $0.trial.state == state }.compactMap { record -> ChartPoint? in
                guard let value = record.bestValue, let x = position(record) else { return nil }
                return ChartPoint(x: x, y: value, tooltip: "trial \(record.number) (\(state.rawValue)): \(value)")
            }
            guard !points.isEmpty else { return nil }
            return ChartSeries(name: "\(state.rawValue) (\(points.count))", mark: .points, color: color, points: points,
                               id: "state-\(state.rawValue)")
        }
    }

    /// The ends of a numeric range distribution, so its plot shows the whole searched range.
    static func bounds(of distribution: ParameterDistribution) -> [Double] {
        switch distribution {
        case .uniform(let minimum, let maximum), .logUniform(let minimum, let maximum),
             .quantizedUniform(let minimum, let maximum, _):
            return [minimum, maximum]
        case .integerUniform(let minimum, let maximum): return [Double(minimum), Double(maximum)]
        case .constant, .categorical: return []
        }
    }

    /// Horizontal offsets spreading `count` points of one category so they do not hide each other.
    static func jitter(count: Int) -> [Double] {
        guard count > 1 else { return Array(repeating: 0, count: count) }
        let step = min(0.05, 0.4 / Double(count - 1))
        return (0..<count).map { (Double($0) - Double(count - 1) / 2) * step }
    }
}
