import FlowData
import Tensor
import Training

/// Three toy classes for trainer tests (no data files): class k lifts channel k by `bumpHeight`
/// over the steps `bump(k)`, on Gaussian noise of standard deviation `noise`.
struct ToyTraffic {
    var seed: UInt64
    var channels: Int
    var length: Int
    var noise: Float
    var bumpHeight: Float
    var bump: (Int) -> Range<Int>

    /// Training, validation and test splits of these sizes, drawn in that order from one generator.
    func data(train: Int, validation: Int, test: Int) -> TrainingData {
        var generator = SeededGenerator(seed: seed)
        func split(_ count: Int) -> SampleSet {
            var values = [Float](repeating: 0, count: count * channels * length)  // (N, C, L)
            var labels: [Int32] = []
            for n in 0..<count {
                let label = n % 3
                labels.append(Int32(label))
                let steps = bump(label)
                for c in 0..<channels {
                    for l in 0..<length {
                        let lift: Float = c == label && steps.contains(l) ? bumpHeight : 0
                        values[(n * channels + c) * length + l] = lift + generator.nextNormal() * noise
                    }
                }
            }
            return SampleSet(values: values, labels: labels, channels: channels, length: length)
        }
        return TrainingData(train: split(train), validation: split(validation), test: split(test),
                            classNames: ["benign", "flood", "scan"], preprocessing: ["scaler": "none"])
    }
}
