/// What one epoch reports: losses, validation metrics and (when a test split exists) test metrics.
/// Flattened names (`val_f1_macro`, `test_accuracy`, `train_loss`) are what searches optimise.
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validation: ClassificationMetrics
    public var testLoss: Double?
    public var test: ClassificationMetrics?
    public var learningRate: Double
    /// Wall time of the epoch (training and evaluation), seconds.
    public var seconds: Double
    /// Which samples the validation metrics are computed on (`SplitFingerprint`), so trials can be
    /// checked to compare on the same data.
    public var validationFingerprint: String?
    /// The same for the test metrics.
    public var testFingerprint: String?

    enum CodingKeys: String, CodingKey {
        case epoch, validation, test, seconds
        case validationFingerprint = "validation_fingerprint"
        case testFingerprint = "test_fingerprint"
        case trainLoss = "train_loss"
        case validationLoss = "val_loss"
        case testLoss = "test_loss"
        case learningRate = "lr"
    }

    /// The scalar metrics under their flat names.
    public var flat: [String: Double] {
        var values: [String: Double] = ["train_loss": trainLoss, "val_loss": validationLoss, "lr": learningRate]
        Self.add(validation, prefix: "val", to: &values)
        if let test {
            Self.add(test, prefix: "test", to: &values)
            if let testLoss { values["test_loss"] = testLoss }
        }
        return values
    }

    /// The value of a flat metric name, if this epoch has it.
    public func value(of name: String) -> Double? { flat[name] }

    /// The names a search or `metric` setting may use.
    public static let knownNames: [String] = {
        let scalars = ["accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_weighted",
                       "recall_weighted", "f1_weighted", "roc_auc", "loss"]
        return ["train_loss"] + scalars.map { "val_\($0)" } + scalars.map { "test_\($0)" }
    }()

    public static func isKnown(_ name: String) -> Bool { knownNames.contains(name) }

    /// True when a larger value of the metric is better (everything but losses).
    public static func isMaximized(_ name: String) -> Bool { !name.hasSuffix("loss") }

    private static func add(_ metrics: ClassificationMetrics, prefix: String, to values: inout [String: Double]) {
        values["\(prefix)_accuracy"] = metrics.accuracy
        values["\(prefix)_precision_macro"] = metrics.precisionMacro
        values["\(prefix)_recall_macro"] = metrics.recallMacro
        values["\(prefix)_f1_macro"] = metrics.f1Macro
        values["\(prefix)_precision_weighted"] = metrics.precisionWeighted
        values["\(prefix)_recall_weighted"] = metrics.recallWeighted
        values["\(prefix)_f1_weighted"] = metrics.f1Weighted
        if let auc = metrics.rocAUC { values["\(prefix)_roc_auc"] = auc }
    }
}
