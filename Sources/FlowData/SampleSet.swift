/// Samples ready for the model: values `(N, C, L)` float32 row-major and one class index each.
public struct SampleSet: Sendable, Equatable {
    public var values: SampleValues   // (N, C, L)
    /// Class indices in `0..<classNames.count`; empty for unlabelled prediction input.
    public var labels: [Int32]   // (N)
    public var channels: Int
    public var length: Int

    public init(values: [Float], labels: [Int32], channels: Int, length: Int) {
        self.init(values: SampleValues(values), labels: labels, channels: channels, length: length)
    }

    public init(values: SampleValues, labels: [Int32], channels: Int, length: Int) {
        self.values = values
        self.labels = labels
        self.channels = channels
        self.length = length
    }

    /// C * L, the floats per sample.
    public var sampleSize: Int { channels * length }

    /// N, the number of samples.
    public var count: Int { sampleSize == 0 ? labels.count : values.count / sampleSize }

    /// The shape `[N, C, L]`.
    public var shape: [Int] { [count, channels, length] }

    /// Samples `indices` in that order.
    public func selecting(_ indices: [Int]) -> SampleSet {
        var values: [Float] = []
        values.reserveCapacity(indices.count * sampleSize)
        self.values.withUnsafeBufferPointer { source in
            for index in indices {
                values.append(contentsOf: source[(index * sampleSize)..<((index + 1) * sampleSize)])
            }
        }
        return SampleSet(values: values, labels: labels.isEmpty ? [] : indices.map { labels[$0] },
                         channels: channels, length: length)
    }

    /// How many samples each class has, for `classCount` classes.
    public func classCounts(classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels where label >= 0 && Int(label) < classCount { counts[Int(label)] += 1 }
        return counts
    }
}
