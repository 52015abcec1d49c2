import FileFormats

/// The flat metric names a search optimises (`val_f1_macro`, `test_accuracy`, `train_loss`), made
/// from one epoch's record by one rule, so the trainer's stdout line and the coordinator's crash
/// recovery from `epochs.jsonl` always give the same names and values.
///
/// Rule: every number at the top level is a metric under its own name, except the keys that
/// describe the line (`epoch`, `seconds`, `trial`); every number inside an evaluation section
/// (`validation`, `test`) is a metric under the section's prefix (`val_`, `test_`). Lists (per-class
/// values, the confusion matrix) and strings are not metrics.
public enum FlatMetrics {
    /// Top-level keys that are not metrics.
    public static let descriptiveKeys: Set<String> = ["epoch", "seconds", "trial"]
    /// The evaluation sections and the prefix of their metrics.
    public static let sectionPrefixes = ["validation": "val", "test": "test"]

    /// The scalar metrics of one epoch record under their flat names.
    public static func flatten(_ members: [String: JSONValue]) -> [String: Double] {
        var values: [String: Double] = [:]
        for (key, value) in members {
            switch value {
            case .number(let number) where !descriptiveKeys.contains(key):
                values[key] = number
            case .object(let section):
                guard let prefix = sectionPrefixes[key] else { continue }
                for (name, metric) in section {
                    if case .number(let number) = metric { values["\(prefix)_\(name)"] = number }
                }
            default:
                continue
            }
        }
        return values
    }
}
