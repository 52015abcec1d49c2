import Tensor
import Testing

@Suite("Tensor and kernels")
struct TensorTests {
    func random(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextNormal() }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesNaiveProductWithStrides(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (5, 4, 3)
        // Stored with one spare column each to exercise the leading dimensions.
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let a = random(aRows * (aColumns + 1), seed: 1)
        let b = random(bRows * (bColumns + 1), seed: 2)
        var c = random(m * (n + 1), seed: 3)
        let original = c
        func elementA(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * (aColumns + 1) + i] : a[i * (aColumns + 1) + p] }
        func elementB(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * (bColumns + 1) + p] : b[p * (bColumns + 1) + j] }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 2,
                              a: a.baseAddress!, lda: aColumns + 1, b: b.baseAddress!, ldb: bColumns + 1,
                              beta: 0.5, c: c.baseAddress!, ldc: n + 1)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += elementA(i, p) * elementB(p, j) }
                let expected = 2 * sum + 0.5 * original[i * (n + 1) + j]
                #expect(abs(c[i * (n + 1) + j] - expected) < 1e-5)
            }
            #expect(c[i * (n + 1) + n] == original[i * (n + 1) + n], "spare column untouched")
        }
    }

    @Test func foldIsTheAdjointOfUnfold() throws {
        let (batch, length, channels, kernel, padding) = (2, 6, 3, 3, 1)
        let rows = batch * Im2col.outputLength(length: length, kernelSize: kernel, padding: padding)
        let input = try Tensor(shape: [batch, length, channels], values: random(batch * length * channels, seed: 4))
        let direction = try Tensor(shape: [rows, kernel * channels], values: random(rows * kernel * channels, seed: 5))
        let columns = Tensor(shape: [rows, kernel * channels])
        Im2col.unfold(input: input.pointer, batch: batch, length: length, channels: channels,
                      kernelSize: kernel, padding: padding, columns: columns.pointer)
        let folded = Tensor(shape: [batch, length, channels])
        Im2col.fold(columns: direction.pointer, batch: batch, length: length, channels: channels,
                    kernelSize: kernel, padding: padding, dInput: folded.pointer)
        var left: Double = 0, right: Double = 0
        for i in 0..<columns.count { left += Double(columns[flat: i]) * Double(direction[flat: i]) }
        for i in 0..<input.count { right += Double(input[flat: i]) * Double(folded[flat: i]) }
        #expect(abs(left - right) < 1e-4)
        // The first row's first window position is padding: zeros.
        #expect((0..<channels).allSatisfy { columns[flat: $0] == 0 })
    }

    @Test func softmaxRowsSumToOneAndSurviveLargeLogits() throws {
        let matrix = try Tensor(shape: [2, 3], values: [1, 2, 3, 1000, 1000, -1000])
        Kernels.softmaxRows(matrix.pointer, rows: 2, columns: 3)
        #expect(abs(matrix[flat: 0] + matrix[flat: 1] + matrix[flat: 2] - 1) < 1e-6)
        #expect(abs(matrix[flat: 3] - 0.5) < 1e-6 && matrix[flat: 5] < 1e-30)
    }

    @Test func generatorIsSeededAndRestorable() throws {
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        #expect((0..<5).map { _ in first.next() } == (0..<5).map { _ in second.next() })
        var restored = try SeededGenerator(state: first.state)
        #expect(restored.next() == first.next())
        #expect(SeededGenerator(seed: 1).state != SeededGenerator(seed: 2).state)
        #expect(throws: TensorError.self) { try SeededGenerator(state: [0, 0, 0, 0]) }
        var uniform = SeededGenerator(seed: 7)
        let samples = (0..<10_000).map { _ in uniform.nextUniform(from: -2, to: 2) }
        #expect(samples.allSatisfy { $0 >= -2 && $0 < 2 })
        #expect(abs(samples.reduce(0, +) / 10_000) < 0.05)
        let normals = (0..<10_000).map { _ in uniform.nextNormal() }
        let mean = normals.reduce(0, +) / 10_000
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10_000
        #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.05)
    }

    @Test func resizeReusesStorageAndShapeErrorsAreThrown() throws {
        let tensor = Tensor(shape: [4, 4])
        let pointer = tensor.pointer
        tensor.resize(to: [2, 3])
        #expect(tensor.pointer == pointer && tensor.count == 6)
        tensor.resize(to: [5, 5])
        #expect(tensor.count == 25 && tensor.capacity >= 25)
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], values: [1, 2, 3]) }
        #expect(throws: TensorError.self) { try tensor.reshape(to: [3, 3]) }
    }
}
