/// One configuration a benchmark compares: a label for tables and folders, and its run-file
/// hyperparameters (no `data`). Planned by Reports from a search file, trained by Training, so it
/// lives in the module both import.
public struct BenchmarkConfiguration: Sendable, Equatable {
    public var label: String
    public var settings: [String: JSONValue]

    public init(label: String, settings: [String: JSONValue]) {
        self.label = label
        self.settings = settings
    }
}
