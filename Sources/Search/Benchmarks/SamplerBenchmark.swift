import Foundation
import FileFormats

/// Samplers and schedulers against a table of recorded learning curves (`LearningCurveTable`):
/// each search runs through the real coordinator with an `InMemoryTrialLauncher` whose trials
/// report the nearest row's curve, so a seed's whole search takes seconds instead of hours.
/// `tune bench samplers` writes the traces that `Reports/samplers/plot.py` draws beside Optuna's.
public struct SamplerBenchmark: Sendable {
    /// A sampler with a scheduler, under the name the traces give it.
    public struct Method: Sendable, Equatable {
        public var name: String
        public var sampler: SamplerKind
        public var scheduler: SchedulerKind

        public init(name: String, sampler: SamplerKind, scheduler: SchedulerKind) {
            self.name = name
            self.sampler = sampler
            self.scheduler = scheduler
        }

        /// Random and TPE, each to the full budget and under ASHA.
        public static let all = [
            Method(name: "tune-random", sampler: .random, scheduler: .none),
            Method(name: "tune-asha", sampler: .random, scheduler: .asha),
            Method(name: "tune-tpe", sampler: .tpe, scheduler: .none),
            Method(name: "tune-tpe-asha", sampler: .tpe, scheduler: .asha),
        ]
    }

    /// The search at a point in its epochs: epochs spent so far, best value so far.
    public struct TracePoint: Sendable, Equatable {
        public var trial: Int
        public var epochsSpent: Int
        public var bestValue: Double
    }

    /// The search file the table was recorded with (its parameters, metric and budget).
    public let base: SearchDefinition
    public let table: LearningCurveTable
    /// The first rung of the halving methods.
    public let minimumEpochs: Int

    public init(base: SearchDefinition, table: LearningCurveTable, minimumEpochs: Int = 1) {
        self.base = base
        self.table = table
        self.minimumEpochs = minimumEpochs
    }

    /// `base` with `method`'s sampler and scheduler (and TPE's `lag`), halving from `minimumEpochs`.
    public func definition(_ method: Method, lag: Int? = nil) throws(JSONFileError) -> SearchDefinition {
        guard case .object(var members) = base.document else { return base }
        members["method"] = nil
        var sampler: [String: JSONValue] = ["name": .string(method.sampler.rawValue)]
        if let lag, method.sampler == .tpe { sampler["lag"] = .number(Double(lag)) }
        members["sampler"] = .object(sampler)
        members["scheduler"] = .string(method.scheduler.rawValue)
        var budget: [String: JSONValue] = ["max_epochs": .number(Double(base.budget.maximumEpochs)), "eta": .number(Double(base.budget.eta))]
        if method.scheduler.halves { budget["min_epochs"] = .number(Double(minimumEpochs)) }
        members["budget"] = .object(budget)
        return try SearchDefinition(document: .object(members), source: base.source)
    }

    /// The simulated search of `definition` with `workers` workers and `trials` trials.
    public func simulate(_ definition: SearchDefinition, seed: Int, workers: Int, trials: Int) throws -> SearchSimulation.Result {
        let table = table
        let simulation = SearchSimulation(
            scheduler: SearchScheduler(definition: definition, seed: seed), workers: workers, trialBudget: trials,
            objective: { parameters, _, epoch in
                let curve = table.rows[table.nearestRow(to: parameters)].curve
                return curve[min(max(epoch, 1), curve.count) - 1]
            },
            epochSeconds: { parameters, _ in table.rows[table.nearestRow(to: parameters)].secondsPerEpoch })
        var study = try Study.open(journal: InMemoryJournal(), definition: definition, seed: seed)
        return try simulation.run(study: &study)
    }

    /// One seed of `method`, one trial at a time (as Optuna with `n_jobs=1`): the trace up to
    /// `epochBudget` epochs, of at most `trials` trials.
    public func trace(_ method: Method, seed: Int, trials: Int, epochBudget: Int) throws -> [TracePoint] {
        let result = try simulate(try definition(method), seed: seed, workers: 1, trials: trials)
        return Self.trace(of: result.snapshot, metric: base.metric, epochBudget: epochBudget)
    }

    /// Replays `snapshot`'s reports in journal order up to `epochBudget` epochs: a point each time
    /// the best value improves, and one at the end, so the best within any budget can be read off
    /// (the last point at or below it). `trial` is the trial that reported it.
    static func trace(of snapshot: StudySnapshot, metric: SearchMetric, epochBudget: Int) -> [TracePoint] {
        var reports: [(index: Int, trial: Int, value: Double?)] = []
        for trial in snapshot.trials {
            reports += trial.reports.map { ($0.journalIndex, trial.number, $0.metrics[metric.name]) }
        }
        reports.sort { $0.index < $1.index }
        var points: [TracePoint] = []
        var best: Double?
        for (spent, report) in reports.prefix(epochBudget).enumerated() {
            guard let value = report.value, value.isFinite, best.map({ metric.isBetter(value, than: $0) }) ?? true else { continue }
            best = value
            points.append(TracePoint(trial: report.trial, epochsSpent: spent + 1, bestValue: value))
        }
        let spent = min(reports.count, epochBudget)
        if let best, let last = points.last, last.epochsSpent < spent {
            points.append(TracePoint(trial: reports[spent - 1].trial, epochsSpent: spent, bestValue: best))
        }
        return points
    }

    /// What waiting for a complete view costs: `method` at `workers` workers against the same
    /// search with random sampling (whose only idle is the tail), in simulated time with the
    /// table's epoch durations.
    public struct Idle: Sendable {
        public var workers: Int
        public var lag: Int
        public var elapsedSeconds: Double
        public var idleFraction: Double
        public var randomElapsedSeconds: Double
        public var randomIdleFraction: Double
    }

    public func idle(_ method: Method, lag: Int, workers: Int, seed: Int, trials: Int) throws -> Idle {
        let model = try simulate(try definition(method, lag: lag), seed: seed, workers: workers, trials: trials)
        let random = try simulate(try definition(Method(name: "random", sampler: .random, scheduler: method.scheduler)),
                                  seed: seed, workers: workers, trials: trials)
        return Idle(workers: workers, lag: lag, elapsedSeconds: model.elapsedSeconds, idleFraction: model.idleFraction,
                    randomElapsedSeconds: random.elapsedSeconds, randomIdleFraction: random.idleFraction)
    }
}
