/// Accuracy, precision, recall, F1 (per class, macro and weighted), one-vs-rest ROC-AUC and the
/// confusion matrix of a classifier's scores, computed as scikit-learn does: macro and weighted
/// averages over the classes present in the labels or the predictions, zero for 0/0.
public struct ClassificationMetrics: Codable, Sendable, Equatable {
    public var accuracy: Double
    public var precisionMacro: Double
    public var recallMacro: Double
    public var f1Macro: Double
    public var precisionWeighted: Double
    public var recallWeighted: Double
    public var f1Weighted: Double
    /// Macro one-vs-rest ROC-AUC over the classes with both positive and negative samples;
    /// nil when no class has both.
    public var rocAUC: Double?
    public var precision: [Double]  // (K)
    public var recall: [Double]     // (K)
    public var f1: [Double]         // (K)
    public var support: [Int]       // (K): samples of each true class
    /// confusionMatrix[true][predicted], (K, K).
    public var confusionMatrix: [[Int]]

    enum CodingKeys: String, CodingKey {
        case accuracy, precision, recall, f1, support
        case precisionMacro = "precision_macro"
        case recallMacro = "recall_macro"
        case f1Macro = "f1_macro"
        case precisionWeighted = "precision_weighted"
        case recallWeighted = "recall_weighted"
        case f1Weighted = "f1_weighted"
        case rocAUC = "roc_auc"
        case confusionMatrix = "confusion_matrix"
    }

    /// Metrics of probabilities (N, K), row-major, against labels (N) in 0..<K.
    public init(probabilities: [Float], labels: [Int32], classCount: Int) {
        precondition(probabilities.count == labels.count * classCount, "probabilities must be (N, K)")
        let count = labels.count
        var matrix = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
        for n in 0..<count {
            let row = n * classCount
            var predicted = 0
            for k in 1..<classCount where probabilities[row + k] > probabilities[row + predicted] { predicted = k }
            matrix[Int(labels[n])][predicted] += 1
        }
        self.init(confusionMatrix: matrix)
        rocAUC = Self.macroOneVsRestAUC(probabilities: probabilities, labels: labels, classCount: classCount)
    }

    /// The threshold metrics of a confusion matrix (ROC-AUC left nil: it needs scores).
    public init(confusionMatrix matrix: [[Int]]) {
        let classCount = matrix.count
        let total = matrix.reduce(0) { $0 + $1.reduce(0, +) }
        var correct = 0
        var precision = [Double](repeating: 0, count: classCount)
        var recall = [Double](repeating: 0, count: classCount)
        var f1 = [Double](repeating: 0, count: classCount)
        var support = [Int](repeating: 0, count: classCount)
        var present: [Int] = []
        for k in 0..<classCount {
            let truePositives = matrix[k][k]
            let actual = matrix[k].reduce(0, +)
            let predicted = (0..<classCount).reduce(0) { $0 + matrix[$1][k] }
            correct += truePositives
            support[k] = actual
            precision[k] = predicted > 0 ? Double(truePositives) / Double(predicted) : 0
            recall[k] = actual > 0 ? Double(truePositives) / Double(actual) : 0
            let sum = precision[k] + recall[k]
            f1[k] = sum > 0 ? 2 * precision[k] * recall[k] / sum : 0
            if actual > 0 || predicted > 0 { present.append(k) }
        }
        func macro(_ values: [Double]) -> Double {
            present.isEmpty ? 0 : present.reduce(0) { $0 + values[$1] } / Double(present.count)
        }
        func weighted(_ values: [Double]) -> Double {
            total == 0 ? 0 : (0..<classCount).reduce(0) { $0 + values[$1] * Double(support[$1]) } / Double(total)
        }
        accuracy = total > 0 ? Double(correct) / Double(total) : 0
        precisionMacro = macro(precision)
        recallMacro = macro(recall)
        f1Macro = macro(f1)
        precisionWeighted = weighted(precision)
        recallWeighted = weighted(recall)
        f1Weighted = weighted(f1)
        rocAUC = nil
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        confusionMatrix = matrix
    }

    /// The mean of each class's ROC-AUC (its score against all other classes), over the classes
    /// that have both positive and negative samples.
    static func macroOneVsRestAUC(probabilities: [Float], labels: [Int32], classCount: Int) -> Double? {
        var total = 0.0
        var scored = 0
        for k in 0..<classCount {
            let scores = (0..<labels.count).map { probabilities[$0 * classCount + k] }
            let positives = labels.map { Int($0) == k }
            if let auc = rocAUC(scores: scores, positives: positives) {
                total += auc
                scored += 1
            }
        }
        return scored > 0 ? total / Double(scored) : nil
    }

    /// Binary ROC-AUC as the Mann-Whitney U statistic with average ranks for ties;
    /// nil unless both classes occur.
    static func rocAUC(scores: [Float], positives: [Bool]) -> Double? {
        let positiveCount = positives.filter { $0 }.count
        let negativeCount = positives.count - positiveCount
        guard positiveCount > 0, negativeCount > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1  // ranks are 1-based
            for position in start...end where positives[order[position]] { positiveRankSum += averageRank }
            start = end + 1
        }
        let u = positiveRankSum - Double(positiveCount * (positiveCount + 1)) / 2
        return u / (Double(positiveCount) * Double(negativeCount))
    }
}
