import Foundation
import NN

/// Everything beyond the weights that continuing a run exactly needs, stored as JSON in the
/// `__metadata__` of `state.safetensors` beside the weights and Adam's moments.
struct TrainerState: Codable, Sendable, Equatable {
    /// Epochs finished so far.
    var epoch: Int
    var adamStep: Int
    var learningRate: Double
    var plateau: ReduceLROnPlateau
    /// The shuffling and dropout generator's four words, as decimal strings (JSON numbers lose
    /// precision above 2^53).
    var generatorState: [String]
    var bestMetric: Double?
    var bestEpoch: Int?
    var model: ModelConfiguration
    var options: TrainingOptions
    var classNames: [String]

    enum CodingKeys: String, CodingKey {
        case epoch, plateau, model, options
        case adamStep = "adam_step"
        case learningRate = "lr"
        case generatorState = "generator_state"
        case bestMetric = "best_metric"
        case bestEpoch = "best_epoch"
        case classNames = "class_names"
    }
}
