/// How much each searched parameter mattered for reaching the study's best results: PED-ANOVA
/// (`PEDANOVA`) over the trials' results at one rung, normalised to sum to 1 as Optuna's
/// `get_param_importances` does. `tune status`, the report and `importance.csv` show it.
public struct ParameterImportance: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var parameter: String
        /// The share of the total importance, in [0, 1].
        public var importance: Double
    }

    /// The rung whose results were compared (every trial's metric at these epochs).
    public var epochs: Int
    /// The trials with a result there.
    public var trialCount: Int
    /// Most important first (equal ones by name).
    public var entries: [Entry]

    /// The fewest results a rung needs before importance is computed there: PED-ANOVA's top
    /// 10 % should hold a few trials.
    public static let minimumTrials = 10

    /// The importance over `snapshot`'s trials that did not fail, at the highest rung where at
    /// least `minimumTrials` of them have a finite result (the whole budget when nothing halves);
    /// nil when no rung has that many.
    public static func evaluate(snapshot: StudySnapshot, definition: SearchDefinition) -> ParameterImportance? {
        let rungs = definition.scheduler.halves ? definition.budget.rungEpochs : [definition.budget.maximumEpochs]
        let metric = definition.metric
        for epochs in rungs.reversed() {
            var results: [(parameters: TrialParameters, value: Double)] = []
            snapshot.withTrials { trials in
                for index in trials.indices where trials[index].state != .failed && trials[index].epochsTrained >= epochs {
                    if let value = trials[index].value(of: metric.name, atEpoch: epochs), value.isFinite {
                        results.append((trials[index].parameters, value))
                    }
                }
            }
            guard results.count >= minimumTrials else { continue }
            let raw = PEDANOVA.importances(of: results, parameters: definition.parameters, goal: metric.goal)
            // Summed in name order: a dictionary's order changes from process to process.
            let total = raw.keys.sorted().reduce(0) { $0 + (raw[$1] ?? 0) }
            let entries = raw.map { Entry(parameter: $0.key, importance: total > 0 ? $0.value / total : 1 / Double(raw.count)) }
                .sorted { $0.importance != $1.importance ? $0.importance > $1.importance : $0.parameter < $1.parameter }
            return ParameterImportance(epochs: epochs, trialCount: results.count, entries: entries)
        }
        return nil
    }
}
