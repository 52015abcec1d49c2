import Foundation
import FileFormats
import TrialProtocol

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

    /// The scalar metrics under their flat names: `FlatMetrics` applied to this epoch's
    /// `epochs.jsonl` record, so the stdout line and crash recovery name them alike.
    public var flat: [String: Double] {
        guard let encoded = try? JSONEncoder().encode(self),
              case .object(let members)? = try? JSONValue.parse(encoded, source: "epoch metrics") else { return [:] }
        return FlatMetrics.flatten(members)
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
}
