import FlowData
import Foundation
import NN
import Tensor

/// Inference latency of a trained model: the seconds of single `forward` calls in evaluation
/// mode on batches of a fixed size, after one untimed warm-up batch.
public struct VariantBenchmarkLatency: Sendable, Equatable {
    /// Samples per timed batch.
    public var batchSize: Int
    /// Seconds of each timed batch, in the order measured.
    public var batchSeconds: [Double]

    public init(batchSize: Int, batchSeconds: [Double]) {
        self.batchSize = batchSize
        self.batchSeconds = batchSeconds
    }

    /// The median batch time (nearest rank), seconds.
    public var p50: Double { Self.percentile(50, of: batchSeconds) }
    /// The 99th-percentile batch time (nearest rank), seconds.
    public var p99: Double { Self.percentile(99, of: batchSeconds) }

    /// The nearest-rank percentile: the smallest value with at least `percent`% of the values at
    /// or below it, i.e. the value of rank ceil(percent/100 * n) in increasing order (rank 1 at
    /// least). NaN for no values.
    public static func percentile(_ percent: Double, of values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Times `batches` forward passes of `model` over `samples`, `batchSize` samples each, taken
    /// in order and wrapping around (sample `(b * batchSize + i) mod N` fills row i of batch b),
    /// after one untimed warm-up batch. Only `forward` is timed, not the copying into the batch.
    static func measure(model: any SequenceClassifier, samples: SampleSet, batchSize: Int, batches: Int) throws -> VariantBenchmarkLatency {
        guard samples.count > 0 else { throw TrainingError.data("no samples to measure inference latency on") }
        let input = Tensor(shape: [batchSize, samples.channels, samples.length])  // (B, C, L)
        var generator = SeededGenerator(seed: 0)  // unused in evaluation mode
        var seconds: [Double] = []
        seconds.reserveCapacity(batches)
        for batch in -1..<batches {
            fill(input, from: samples, firstSample: max(batch, 0) * batchSize)
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try model.forward(input, training: false, generator: &generator)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if batch >= 0 { seconds.append(elapsed) }  // batch -1 is the warm-up
        }
        return VariantBenchmarkLatency(batchSize: batchSize, batchSeconds: seconds)
    }

    /// Copies samples `firstSample ..< firstSample + B` (mod N) into `input` (B, C, L).
    private static func fill(_ input: Tensor, from samples: SampleSet, firstSample: Int) {
        let sampleSize = samples.sampleSize
        let rows = input.count / max(sampleSize, 1)
        samples.values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            for row in 0..<rows {
                let index = (firstSample + row) % samples.count
                (input.pointer + row * sampleSize).update(from: base + index * sampleSize, count: sampleSize)
            }
        }
    }
}
