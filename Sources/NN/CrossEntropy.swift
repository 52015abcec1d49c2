import Foundation
import Tensor

/// Mean cross-entropy of logits against integer class labels, as `torch.nn.CrossEntropyLoss()`.
public final class CrossEntropy {
    /// The gradient of the last loss with respect to the logits, (N, K).
    public let dLogits = Tensor(shape: [0])

    public init() {}

    /// The mean loss of logits (N, K) against labels (N); also fills `dLogits`.
    /// Labels must be in 0..<K (checked by the data layer before training).
    public func forward(logits: Tensor, labels: UnsafeBufferPointer<Int32>) -> Float {
        precondition(logits.shape.count == 2 && logits.shape[0] == labels.count,
                     "cross-entropy expects logits (N, K) and N labels, got \(logits.shape) and \(labels.count)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        dLogits.copy(from: logits)
        Kernels.softmaxRows(dLogits.pointer, rows: rows, columns: classes)
        var total: Double = 0
        let inverseCount = 1 / Float(rows)
        for n in 0..<rows {
            let label = Int(labels[n])
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            let row = dLogits.pointer + n * classes
            // log p = logit - max - log(sum exp) computed from the logits for accuracy.
            let logit = logits.pointer + n * classes
            var maximum = -Float.infinity
            for c in 0..<classes { maximum = max(maximum, logit[c]) }
            var sum: Double = 0
            for c in 0..<classes { sum += Double(expf(logit[c] - maximum)) }
            total += Double(maximum) + log(sum) - Double(logit[label])
            for c in 0..<classes { row[c] *= inverseCount }
            row[label] -= inverseCount
        }
        return Float(total / Double(rows))
    }

    /// Convenience for arrays of labels.
    public func forward(logits: Tensor, labels: [Int32]) -> Float {
        labels.withUnsafeBufferPointer { forward(logits: logits, labels: $0) }
    }
}
