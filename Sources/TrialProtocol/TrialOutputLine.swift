import Foundation
import FileFormats

/// The trial protocol on a trainer's stdout: one JSON line per finished epoch,
/// `{"epoch": 3, "metrics": {"val_f1_macro": 0.91, ...}, "seconds": 4.2, "trial": 7}`, and a last
/// line with the run's status (`{"status": "complete", ...}`). Lines are canonical JSON (keys
/// sorted), unbuffered, so the coordinator sees each epoch as it ends.
public enum TrialOutputLine: Sendable, Equatable {
    /// One finished epoch and its flat metrics (`FlatMetrics`).
    case epoch(EpochReport)
    /// The run's last line: `complete`, `interrupted` or `diverged`, with details.
    case status(String, details: [String: JSONValue])

    /// What an epoch line carries.
    public struct EpochReport: Sendable, Equatable {
        public var epoch: Int
        public var metrics: [String: Double]
        /// Wall time of the epoch (training and evaluation).
        public var seconds: Double?

        public init(epoch: Int, metrics: [String: Double], seconds: Double? = nil) {
            self.epoch = epoch
            self.metrics = metrics
            self.seconds = seconds
        }
    }

    /// The line's text (without the newline); `trial` is added when the run is a search's trial.
    public func text(trial: Int?) -> String {
        var members: [String: JSONValue]
        switch self {
        case .epoch(let report):
            members = ["epoch": .number(Double(report.epoch)), "metrics": .object(report.metrics.mapValues(JSONValue.number))]
            if let seconds = report.seconds { members["seconds"] = .number(seconds) }
        case .status(let status, let details):
            members = details
            members["status"] = .string(status)
        }
        if let trial { members["trial"] = .number(Double(trial)) }
        return JSONValue.object(members).canonicalText
    }

    /// Parses one stdout line; nil for anything that is not a protocol line (a trainer may print
    /// other things, and a cut line must not be mistaken for an epoch).
    public init?(_ text: String) {
        guard case .object(let members)? = try? JSONValue.parse(Data(text.utf8), source: "trial output") else { return nil }
        if case .number(let epoch)? = members["epoch"], let whole = Int(exactly: epoch), whole >= 1,
           case .object(let metrics)? = members["metrics"] {
            var values: [String: Double] = [:]
            for (name, value) in metrics {
                if case .number(let number) = value { values[name] = number }
            }
            var seconds: Double?
            if case .number(let value)? = members["seconds"] { seconds = value }
            self = .epoch(EpochReport(epoch: whole, metrics: values, seconds: seconds))
        } else if case .string(let status)? = members["status"] {
            var details = members
            details["status"] = nil
            details["trial"] = nil
            self = .status(status, details: details)
        } else {
            return nil
        }
    }
}
