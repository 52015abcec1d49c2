import Foundation
import FileFormats
@testable import Search

/// Search files and toy objectives for the tests: nothing here trains a model.
enum SearchFixtures {
    /// Parses `text` as the search file `source`.
    static func definition(_ text: String, source: String = "test.json") throws(JSONFileError) -> SearchDefinition {
        try SearchDefinition(document: JSONValue.parse(Data(text.utf8), source: source), source: source)
    }

    /// A search over a learning-rate, dropout, width and variant space shaped like DESIGN.md's.
    static func space(method: String, minEpochs: Int = 1, maxEpochs: Int = 27, eta: Int = 3) -> String {
        """
        { "name": "toy", "method": "\(method)",
          "metric": { "name": "val_accuracy", "goal": "maximize" },
          "budget": { "min_epochs": \(minEpochs), "max_epochs": \(maxEpochs), "eta": \(eta) },
          "parameters": {
            "lr":          { "distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1 },
            "dropout":     { "distribution": "uniform", "min": 0.0, "max": 0.5 },
            "lstm_hidden": { "values": [32, 64, 128, 256] },
            "variant":     { "values": ["lstm", "bilstm", "attention"] } } }
        """
    }

    static func number(_ parameters: TrialParameters, _ key: String) -> Double {
        if case .number(let value)? = parameters[key] { return value }
        return .nan
    }

    /// A toy learning curve standing in for training, on the `space` parameters:
    /// accuracy(epoch) = final - gap * exp(-epoch / tau) + noise, where
    /// - final peaks at 0.99 for lr 3e-3, dropout 0.2, 128 hidden units and the BiLSTM, falling
    ///   quadratically in log10(lr) and dropout and linearly in log2(hidden / 128);
    /// - gap = 0.3 + 4 * (0.99 - final): worse configurations also start further behind;
    /// - tau = 1.2 * (3e-3 / lr)^0.15 epochs (0.7 at lr 0.1, 2 at 1e-4): small learning rates
    ///   learn slowly, so a faster, slightly worse configuration can lead at the first rungs and
    ///   still end lower (curves cross, as real ones do);
    /// - noise is a deterministic +-0.002 per (trial, epoch), so rankings at a rung are not exact.
    static func learningCurve(_ parameters: TrialParameters, trialNumber: Int, epoch: Int) -> Double {
        let lr = number(parameters, "lr"), dropout = number(parameters, "dropout")
        let hidden = number(parameters, "lstm_hidden")
        let variantPenalty: Double
        switch parameters["variant"] {
        case .string("lstm")?: variantPenalty = 0.005
        case .string("attention")?: variantPenalty = 0.002
        default: variantPenalty = 0
        }
        let distance = log10(lr) - log10(3e-3)
        let final = 0.99 - 0.04 * distance * distance - 0.1 * (dropout - 0.2) * (dropout - 0.2)
            - 0.01 * abs(log2(hidden / 128)) - variantPenalty
        let tau = 1.2 * pow(3e-3 / lr, 0.15)
        var noise = SearchRandom(seed: trialNumber, trialNumber: epoch, stream: .parameters)
        let gap = 0.3 + 4 * (0.99 - final)
        return final - gap * exp(-Double(epoch) / tau) + (noise.nextUnitInterval() - 0.5) * 0.004
    }

    /// Made-up epoch durations that vary between trials (width and a per-trial factor), so
    /// trials finish in an order unrelated to their numbers.
    static func durations(seed: Int) -> @Sendable (TrialParameters, Int) -> Double {
        { parameters, trialNumber in
            var generator = SearchRandom(seed: seed, trialNumber: trialNumber, stream: .trainingSeed)
            return (0.5 + number(parameters, "lstm_hidden") / 256) * (0.3 + 1.4 * generator.nextUnitInterval())
        }
    }

    /// A fresh study in memory.
    static func study(_ definition: SearchDefinition, seed: Int = 0) throws -> Study {
        try Study.open(journal: InMemoryJournal(), definition: definition, seed: seed)
    }

    /// The parts of a study that must not depend on timing: per trial its parameters, final
    /// state, and reported (epoch, value) pairs.
    static func outcome(_ snapshot: StudySnapshot) -> [String] {
        snapshot.trials.map { trial in
            let reports = trial.reports.map { report in
                "\(report.epoch):\(report.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"
            }
            return "\(trial.number) \(trial.parameters.canonicalText) \(trial.state.rawValue) [\(reports.joined(separator: " "))]"
        }
    }
}
