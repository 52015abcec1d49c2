import FileFormats

/// The run file the coordinator writes for a trial (`trials/N/run.json`, read by
/// `tune train --config`): the trial's sampled parameters as top-level keys, plus the keys the
/// coordinator sets itself. The trainer reads these keys under the same names.
public enum TrialRunFile {
    /// What the data is (the search file's `data` object, unchanged).
    public static let dataKey = "data"
    /// The trial's training seed (initialisation, shuffling, dropout).
    public static let seedKey = "seed"
    /// BLAS threads of the trial.
    public static let threadsKey = "threads"
    /// The metric that picks the best checkpoint: the search's metric.
    public static let metricKey = "metric"
    /// Where the run writes (`StudyFolder.runFiles`).
    public static let outputKey = "output"
    /// Epochs in total; set by the search's budget through `--epochs`, never sampled.
    public static let epochsKey = "epochs"

    /// The keys a search file may not sample because the coordinator sets them.
    public static let coordinatorKeys: Set<String> = [dataKey, seedKey, threadsKey, metricKey, outputKey, epochsKey]

    /// The run file of a trial, as one JSON object.
    public static func document(parameters: [String: JSONValue], data: JSONValue?, seed: Int, threads: Int,
                                metric: String, output: String) -> JSONValue {
        var members = parameters
        if let data { members[dataKey] = data }
        members[seedKey] = .number(Double(seed))
        members[threadsKey] = .number(Double(threads))
        members[metricKey] = .string(metric)
        members[outputKey] = .string(output)
        return .object(members)
    }
}
