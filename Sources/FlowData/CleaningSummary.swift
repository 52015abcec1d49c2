/// What cleaning did to the data, for the run summary: rows read and dropped (and why), columns
/// dropped (and why), categories and labels met in test data but never in training.
public struct CleaningSummary: Codable, Sendable, Equatable {
    /// Counts for one split read from files.
    public struct SplitCounts: Codable, Sendable, Equatable {
        /// Rows (flows, or npy samples) read from the files.
        public var rowsRead = 0
        /// Rows dropped because a feature was NaN or infinite.
        public var nonFiniteRowsDropped = 0
        /// Samples (rows, or windows) formed after row cleaning.
        public var samples = 0
        /// Samples dropped by `max_per_class`.
        public var cappedSamplesDropped = 0
        /// Samples dropped because their label is not a training class (test only).
        public var unknownLabelSamplesDropped = 0

        public init() {}
    }

    public var train = SplitCounts()
    public var test: SplitCounts?
    /// Samples in the training and validation parts after the split.
    public var trainingSamples = 0
    public var validationSamples = 0
    /// Per column, how many NaN or infinite values were found (training and test).
    public var nonFiniteValues: [String: Int] = [:]
    /// Columns left out of the features, and why.
    public var droppedColumns: [DroppedColumn] = []
    /// Per symbolic column, test rows whose category was never seen in training (encoded as zeros).
    public var unknownCategories: [String: Int] = [:]
    /// The same for validation rows: the vocabularies are fitted on training rows only.
    public var validationUnknownCategories: [String: Int] = [:]
    /// Per label, test samples dropped because the label is not a training class.
    public var unknownLabels: [String: Int] = [:]

    public init() {}

    /// The summary as short lines for a log.
    public var lines: [String] {
        var lines = ["train: \(train.rowsRead) rows read, \(train.nonFiniteRowsDropped) dropped for NaN/inf, "
            + "\(train.cappedSamplesDropped) samples over max_per_class dropped; "
            + "\(trainingSamples) training and \(validationSamples) validation samples"]
        if let test {
            lines.append("test: \(test.rowsRead) rows read, \(test.nonFiniteRowsDropped) dropped for NaN/inf, "
                + "\(test.unknownLabelSamplesDropped) with labels unseen in training dropped; \(test.samples) samples")
        }
        if !nonFiniteValues.isEmpty {
            lines.append("NaN/inf values: " + nonFiniteValues.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !droppedColumns.isEmpty {
            lines.append("columns dropped: " + droppedColumns.map { "\($0.name) (\($0.reason))" }.joined(separator: ", "))
        }
        if !validationUnknownCategories.isEmpty {
            lines.append("validation categories unseen in training: " + validationUnknownCategories.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) rows" }.joined(separator: ", "))
        }
        if !unknownCategories.isEmpty {
            lines.append("test categories unseen in training: " + unknownCategories.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) rows" }.joined(separator: ", "))
        }
        if !unknownLabels.isEmpty {
            lines.append("test labels unseen in training: " + unknownLabels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines
    }
}
