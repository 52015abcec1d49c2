import Tensor

/// Seeded, shuffled mini-batches of a `SampleSet`, copied into buffers the caller allocates once:
/// nothing is allocated per batch.
///
/// Each epoch's order is a fresh permutation drawn from the generator handed to `startEpoch`, so
/// saving that generator's state with a checkpoint is enough to replay the same batches.
public struct BatchIterator: Sendable {
    public let sampleCount: Int
    public let batchSize: Int
    /// When true a final batch smaller than `batchSize` is skipped (BatchNorm needs two samples).
    public var dropLast: Bool
    /// The sample order of the current epoch.
    public private(set) var order: [Int]
    private var position = 0

    public init(sampleCount: Int, batchSize: Int, dropLast: Bool = false) {
        precondition(batchSize > 0, "batch size must be positive")
        self.sampleCount = sampleCount
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.order = Array(0..<sampleCount)
    }

    /// The number of batches per epoch.
    public var batchesPerEpoch: Int {
        dropLast ? sampleCount / batchSize : (sampleCount + batchSize - 1) / batchSize
    }

    /// Starts an epoch in sample order (evaluation) or a seeded random order (training).
    public mutating func startEpoch(shuffle: Bool, generator: inout SeededGenerator) {
        for index in order.indices { order[index] = index }
        if shuffle { StratifiedSplit.shuffle(&order, generator: &generator) }
        position = 0
    }

    /// Starts an epoch in sample order.
    public mutating func startEpochInOrder() {
        for index in order.indices { order[index] = index }
        position = 0
    }

    /// Copies the next batch into `values` (room for `batchSize * C * L` floats) and `labels`
    /// (room for `batchSize`); returns how many samples it holds, or nil when the epoch is over.
    public mutating func next(
        from samples: SampleSet, values: UnsafeMutableBufferPointer<Float>, labels: UnsafeMutableBufferPointer<Int32>
    ) -> Int? {
        let remaining = sampleCount - position
        let size = min(batchSize, remaining)
        if size <= 0 || (dropLast && size < batchSize) { return nil }
        let sampleSize = samples.sampleSize
        precondition(values.count >= size * sampleSize && labels.count >= size, "batch buffers are too small")
        samples.values.withUnsafeBufferPointer { source in
            guard let from = source.baseAddress, let to = values.baseAddress else { return }
            for slot in 0..<size {
                let sample = order[position + slot]
                (to + slot * sampleSize).update(from: from + sample * sampleSize, count: sampleSize)
            }
        }
        if !samples.labels.isEmpty {
            for slot in 0..<size { labels[slot] = samples.labels[order[position + slot]] }
        }
        position += size
        return size
    }

    /// The next batch into a tensor resized to `(B, C, L)` (its storage is reused once it has
    /// held a full batch) and `labels` (capacity kept); nil when the epoch is over.
    public mutating func next(from samples: SampleSet, into tensor: Tensor, labels: inout [Int32]) -> Int? {
        let size = min(batchSize, sampleCount - position)
        if size <= 0 || (dropLast && size < batchSize) { return nil }
        tensor.resize(to: [size, samples.channels, samples.length])
        if labels.count != size {
            labels.removeAll(keepingCapacity: true)
            labels.append(contentsOf: repeatElement(0, count: size))
        }
        return labels.withUnsafeMutableBufferPointer { labelBuffer in
            next(from: samples, values: tensor.buffer, labels: labelBuffer)
        }
    }
}
