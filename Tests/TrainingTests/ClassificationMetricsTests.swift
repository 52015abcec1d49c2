import Testing
import Training

/// Expected values computed with scikit-learn 1.9 (`sklearn.metrics`) on the same inputs.
@Suite("Classification metrics")
struct ClassificationMetricsTests {
    /// y_true = [0, 0, 1, 1, 2, 2, 2], y_pred = [0, 1, 1, 1, 2, 0, 2]
    /// sklearn: accuracy 0.714286, precision/recall/f1 macro 0.722222 / 0.722222 / 0.7,
    /// weighted 0.761905 / 0.714286 / 0.714286.
    @Test func matchesScikitLearnOnAThreeClassExample() {
        let labels: [Int32] = [0, 0, 1, 1, 2, 2, 2]
        let predictions = [0, 1, 1, 1, 2, 0, 2]
        var probabilities = [Float](repeating: 0.1, count: 21)
        for (n, k) in predictions.enumerated() { probabilities[n * 3 + k] = 0.8 }
        let metrics = ClassificationMetrics(probabilities: probabilities, labels: labels, classCount: 3)
        #expect(metrics.confusionMatrix == [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
        #expect(abs(metrics.accuracy - 5.0 / 7) < 1e-9)
        #expect(abs(metrics.precisionMacro - 0.722222) < 1e-6)
        #expect(abs(metrics.recallMacro - 0.722222) < 1e-6)
        #expect(abs(metrics.f1Macro - 0.7) < 1e-6)
        #expect(abs(metrics.precisionWeighted - 0.761905) < 1e-6)
        #expect(abs(metrics.recallWeighted - 0.714286) < 1e-6)
        #expect(abs(metrics.f1Weighted - 0.714286) < 1e-6)
        #expect(metrics.support == [2, 2, 3])
    }

    /// sklearn.metrics.roc_auc_score([0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.8, 0.4]) = 0.75 (with a tie).
    @Test func rocAUCHandlesTiesAndIsMacroOneVsRest() {
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.4]
        let labels: [Int32] = [0, 0, 1, 1, 1]
        let probabilities = scores.flatMap { [1 - $0, $0] }
        let metrics = ClassificationMetrics(probabilities: probabilities, labels: labels, classCount: 2)
        #expect(abs((metrics.rocAUC ?? 0) - 0.75) < 1e-9)
        // One class only: AUC is undefined, not a crash.
        let single = ClassificationMetrics(probabilities: [0.2, 0.8, 0.6, 0.4], labels: [1, 1], classCount: 2)
        #expect(single.rocAUC == nil)
    }

    @Test func classesAbsentFromLabelsAndPredictionsDoNotDiluteTheMacroAverage() {
        // Class 2 never occurs: macro F1 averages classes 0 and 1 only, as sklearn does
        // (f1_score([0, 0, 1, 1], [0, 0, 0, 1], average='macro') = 0.733333).
        let metrics = ClassificationMetrics(confusionMatrix: [[2, 0, 0], [1, 1, 0], [0, 0, 0]])
        #expect(abs(metrics.f1Macro - 0.733333) < 1e-6)
    }
}
