import Foundation
import Search

/// One trial as the report shows it: its journal snapshot, its best value of the search metric
/// and the epoch it came at, and its `epochs.jsonl` (times, per-class results).
public struct TrialRecord: Sendable, Equatable {
    public var trial: TrialSnapshot
    /// The best finite value of the search metric over its epochs; nil when it reported none.
    public var bestValue: Double?
    /// The first epoch that reached `bestValue` (the epoch `best.safetensors` holds).
    public var bestEpoch: Int?
    public var log: EpochDetails

    /// The record of `trial`, ranked by `metric`, with its logged epochs.
    public init(trial: TrialSnapshot, metric: SearchMetric, log: EpochDetails) {
        self.trial = trial
        self.log = log
        bestValue = trial.bestValue(of: metric)
        bestEpoch = bestValue.flatMap { best in trial.reports.first { $0.metrics[metric.name] == best }?.epoch }
    }

    /// The trial's number.
    public var number: Int { trial.number }

    /// The training time of its epochs (from `epochs.jsonl`), nil when none was logged.
    public var seconds: Double? { log.totalSeconds }

    /// The value of the `variant` parameter as text, nil when the search did not set it.
    public var variant: String? {
        trial.parameters["variant"].map(ReportFormat.parameter)
    }
}
