import FlowData

/// How `tune detect` scores and reports.
public struct DetectionOptions: Sendable {
    /// Alert when the probability of attack (1 - P(normal class)) is at least this; nil: alert
    /// when the predicted class is not the normal one.
    public var threshold: Double?
    /// Write alerts only, not every scored flow.
    public var alertsOnly = false
    /// A batch is scored when full or this many seconds after its first record arrived.
    public var maxDelay = 0.05
    /// Records per batch at most.
    public var maxBatch = 256
    /// Seconds between statistics lines on stderr (0: none until the end).
    public var statisticsInterval = 10.0
    /// The records' format, when not the model's (a Zeek model reading JSON or TSV is `zeek` either way).
    public var format: DataFormat?

    public init() {}
}
