import Tensor

/// A seeded train/validation split that keeps each class's share, like scikit-learn's
/// `train_test_split(stratify=y)`.
public enum StratifiedSplit {
    /// Sample indices for training and validation, each ascending. Every class with at least
    /// two samples puts `round(count * fraction)` of them (at least one, never all) into
    /// validation; a class with a single sample stays in training.
    public static func split(
        labels: [Int32], validationFraction: Double, generator: inout SeededGenerator
    ) -> (train: [Int], validation: [Int]) {
        var members: [Int32: [Int]] = [:]
        for (index, label) in labels.enumerated() { members[label, default: []].append(index) }
        var train: [Int] = []
        var validation: [Int] = []
        for label in members.keys.sorted() {
            var indices = members[label] ?? []
            shuffle(&indices, generator: &generator)
            var validationCount = Int((Double(indices.count) * validationFraction).rounded())
            if validationFraction > 0, indices.count >= 2 {
                validationCount = min(max(validationCount, 1), indices.count - 1)
            } else if indices.count < 2 {
                validationCount = 0
            }
            validation.append(contentsOf: indices[0..<validationCount])
            train.append(contentsOf: indices[validationCount...])
        }
        return (train.sorted(), validation.sorted())
    }

    /// Fisher-Yates shuffle driven by `generator`.
    static func shuffle(_ values: inout [Int], generator: inout SeededGenerator) {
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(index, generator.nextIndex(below: index + 1))
        }
    }

    /// Keeps at most `cap` samples of each class, chosen at random (the upstream notebook sampled
    /// 40,000 per class); returns the kept sample indices ascending.
    static func capPerClass(labels: [Int32], cap: Int, generator: inout SeededGenerator) -> [Int] {
        var members: [Int32: [Int]] = [:]
        for (index, label) in labels.enumerated() { members[label, default: []].append(index) }
        var kept: [Int] = []
        for label in members.keys.sorted() {
            var indices = members[label] ?? []
            if indices.count > cap {
                shuffle(&indices, generator: &generator)
                indices = Array(indices[0..<cap])
            }
            kept.append(contentsOf: indices)
        }
        return kept.sorted()
    }
}
