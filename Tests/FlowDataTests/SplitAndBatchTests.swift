import FlowData
import Tensor
import Testing

@Suite("Split and batches")
struct SplitAndBatchTests {
    /// 100 of class 0, 30 of class 1, 3 of class 2, 1 of class 3.
    let labels: [Int32] = Array(repeating: 0, count: 100) + Array(repeating: 1, count: 30) + [2, 2, 2, 3]

    @Test("stratified split keeps each class's share, is seeded and covers every sample once")
    func stratified() {
        var generator = SeededGenerator(seed: 7)
        let (train, validation) = StratifiedSplit.split(labels: labels, validationFraction: 0.2, generator: &generator)
        #expect(Set(train).isDisjoint(with: validation))
        #expect((train + validation).sorted() == Array(labels.indices))
        func count(_ indices: [Int], _ label: Int32) -> Int { indices.filter { labels[$0] == label }.count }
        #expect(count(validation, 0) == 20)
        #expect(count(validation, 1) == 6)
        #expect(count(validation, 2) == 1)   // round(0.6) = 1, and never all of a class
        #expect(count(validation, 3) == 0)   // a single sample stays in training
        var same = SeededGenerator(seed: 7)
        #expect(StratifiedSplit.split(labels: labels, validationFraction: 0.2, generator: &same).validation == validation)
        var other = SeededGenerator(seed: 8)
        #expect(StratifiedSplit.split(labels: labels, validationFraction: 0.2, generator: &other).validation != validation)
    }

    /// N samples of shape (2, 3) whose values encode the sample index.
    func samples(_ count: Int) -> SampleSet {
        SampleSet(values: (0..<(count * 6)).map { Float($0 / 6) }, labels: (0..<count).map { Int32($0 % 4) },
                  channels: 2, length: 3)
    }

    @Test("each epoch visits every sample once in a seeded order; buffers are reused")
    func batches() throws {
        let data = samples(10)
        var iterator = BatchIterator(sampleCount: data.count, batchSize: 4)
        var generator = SeededGenerator(seed: 1)
        let tensor = Tensor(shape: [4, 2, 3])
        let storage = tensor.pointer
        var labels: [Int32] = []
        labels.reserveCapacity(4)
        var epochs: [[Int]] = []
        for _ in 0..<2 {
            iterator.startEpoch(shuffle: true, generator: &generator)
            var seen: [Int] = []
            var sizes: [Int] = []
            while let size = iterator.next(from: data, into: tensor, labels: &labels) {
                sizes.append(size)
                #expect(tensor.shape == [size, 2, 3])
                for slot in 0..<size {
                    let sample = Int(tensor.pointer[slot * 6])
                    #expect((0..<6).allSatisfy { tensor.pointer[slot * 6 + $0] == Float(sample) })
                    #expect(labels[slot] == Int32(sample % 4))
                    seen.append(sample)
                }
            }
            #expect(sizes == [4, 4, 2])
            #expect(seen.sorted() == Array(0..<10))
            epochs.append(seen)
        }
        #expect(epochs[0] != epochs[1])
        #expect(tensor.pointer == storage)  // never reallocated
        // The same generator state replays the same epoch.
        var replay = SeededGenerator(seed: 1)
        iterator.startEpoch(shuffle: true, generator: &replay)
        #expect(Array(iterator.order) == epochs[0])
    }

    @Test("dropLast skips a final partial batch; evaluation order is sample order")
    func dropLastAndOrder() throws {
        let data = samples(10)
        var iterator = BatchIterator(sampleCount: 10, batchSize: 4, dropLast: true)
        #expect(iterator.batchesPerEpoch == 2)
        iterator.startEpochInOrder()
        var values = [Float](repeating: 0, count: 4 * 6)
        var labels = [Int32](repeating: 0, count: 4)
        var firsts: [Float] = []
        while let size = values.withUnsafeMutableBufferPointer({ valueBuffer in
            labels.withUnsafeMutableBufferPointer { labelBuffer in
                iterator.next(from: data, values: valueBuffer, labels: labelBuffer)
            }
        }) {
            #expect(size == 4)
            firsts.append(values[0])
        }
        #expect(firsts == [0, 4])
    }
}
