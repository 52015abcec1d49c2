import Tensor
import Testing

/// Every GEMM implementation this CPU has (our AVX-512 and AVX2 kernels, OpenBLAS) against a naive
/// double-precision product: shapes from 1 to 300 with edges around the register tiles (8 x 32,
/// 6 x 16) and the cache blocks (256 deep), all four transposes, leading dimensions above the minimum, alpha and beta
/// (beta 0 over NaN garbage), the row-vector bias, the prepacked right-hand side, one and two threads.
@Suite("GEMM against a double-precision reference")
struct GEMMTests {
    /// The implementations this machine can run.
    static let implementations = BLAS.Kernels.available

    /// Our own kernels this machine can run (whose results must not depend on the thread count).
    static let ownImplementations = BLAS.Kernels.available.filter(\.isOwn)

    struct Case: CustomStringConvertible {
        var transposeA: Bool, transposeB: Bool
        var m: Int, n: Int, k: Int
        var alpha: Float, beta: Float
        var padding: Int  // extra floats per stored row of A, B and C
        var description: String {
            "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") m \(m) n \(n) k \(k) alpha \(alpha) beta \(beta) pad \(padding)"
        }
    }

    /// A deterministic spread of cases: every transpose with sizes that straddle the tile edges of
    /// both our kernels (rows: 6 and 8; columns: 16 and 32; row blocks: 252 and 256).
    static let cases: [Case] = {
        let sizes = [1, 2, 3, 6, 7, 8, 9, 12, 13, 15, 16, 17, 31, 32, 33, 47, 64, 65, 100, 129, 252, 255, 256, 257, 300]
        let scalars: [(Float, Float)] = [(1, 0), (1, 1), (0.5, -0.25), (-2, 0), (1.5, 1)]
        var generator = SeededGenerator(seed: 42)
        var result: [Case] = []
        for transposes in [(false, false), (true, false), (false, true), (true, true)] {
            for index in 0..<40 {
                let (alpha, beta) = scalars[index % scalars.count]
                var (m, n, k) = (sizes[generator.nextIndex(below: sizes.count)],
                                 sizes[generator.nextIndex(below: sizes.count)],
                                 sizes[generator.nextIndex(below: sizes.count)])
                if m * n * k > 3_000_000 { k = 33 }  // keep the debug-build reference quick
                if index == 0 { (m, n, k) = (1, 1, 1) }
                result.append(Case(transposeA: transposes.0, transposeB: transposes.1, m: m, n: n, k: k,
                                   alpha: alpha, beta: beta, padding: index % 3 == 0 ? 0 : 1 + index % 5))
            }
        }
        // Several depth blocks and the multi-thread split (over rows and over columns).
        result.append(Case(transposeA: false, transposeB: true, m: 70, n: 300, k: 600, alpha: 1, beta: 1, padding: 3))
        result.append(Case(transposeA: true, transposeB: false, m: 300, n: 40, k: 520, alpha: 0.5, beta: 0, padding: 0))
        result.append(Case(transposeA: true, transposeB: true, m: 130, n: 77, k: 513, alpha: 1, beta: 0.5, padding: 1))
        result.append(Case(transposeA: false, transposeB: false, m: 64, n: 288, k: 0, alpha: 1, beta: 0.5, padding: 2))
        result.append(Case(transposeA: false, transposeB: false, m: 64, n: 20, k: 0, alpha: 1, beta: 0, padding: 0))
        return result
    }()

    /// The stored operands of a case: A, B and C with their row strides.
    struct Operands {
        var a: [Float], b: [Float], c: [Float]
        var lda: Int, ldb: Int, ldc: Int

        init(_ test: Case, seed: UInt64) {
            var generator = SeededGenerator(seed: seed)
            lda = (test.transposeA ? test.m : test.k) + test.padding
            ldb = (test.transposeB ? test.k : test.n) + test.padding
            ldc = test.n + test.padding
            let aRows = test.transposeA ? test.k : test.m
            let bRows = test.transposeB ? test.n : test.k
            a = (0..<max(aRows * lda, 1)).map { _ in generator.nextUniform(from: -1, to: 1) }
            b = (0..<max(bRows * ldb, 1)).map { _ in generator.nextUniform(from: -1, to: 1) }
            // beta 0 must ignore C entirely, NaN included.
            c = (0..<(test.m * ldc)).map { _ in test.beta == 0 ? .nan : generator.nextUniform(from: -1, to: 1) }
        }

        func elementA(_ test: Case, _ i: Int, _ p: Int) -> Float { test.transposeA ? a[p * lda + i] : a[i * lda + p] }
        func elementB(_ test: Case, _ p: Int, _ j: Int) -> Float { test.transposeB ? b[j * ldb + p] : b[p * ldb + j] }
    }

    /// Checks `result` (C after the product) against the double-precision product; the bound is a
    /// few float roundings per term of the dot product, scaled by the sum of the terms' magnitudes.
    static func verify(_ test: Case, _ operands: Operands, result: [Float], bias: [Float]? = nil, label: String) {
        var failures = 0
        for i in 0..<test.m {
            for j in 0..<test.n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<test.k {
                    let term = Double(operands.elementA(test, i, p)) * Double(operands.elementB(test, p, j))
                    exact += term
                    magnitude += abs(term)
                }
                let old = test.beta == 0 ? 0 : Double(operands.c[i * operands.ldc + j])
                let added = bias.map { Double($0[j]) } ?? 0
                let expected = Double(test.alpha) * exact + Double(test.beta) * old + added
                let scale = abs(Double(test.alpha)) * magnitude + abs(Double(test.beta) * old) + abs(added) + 1e-30
                let error = abs(Double(result[i * operands.ldc + j]) - expected)
                if !(error <= 4 * Double(Float.ulpOfOne) * (Double(test.k).squareRoot() + 2) * scale) {
                    failures += 1
                    if failures <= 3 {
                        Issue.record("\(label) \(test): C[\(i), \(j)] = \(result[i * operands.ldc + j]), expected \(expected)")
                    }
                }
            }
            for j in test.n..<operands.ldc where result[i * operands.ldc + j].bitPattern != operands.c[i * operands.ldc + j].bitPattern {
                Issue.record("\(label) \(test): C[\(i), \(j)] beyond n was written")
                return
            }
        }
    }

    static func product(_ test: Case, _ operands: Operands, on implementation: BLAS.Kernels) -> [Float] {
        var c = operands.c
        operands.a.withUnsafeBufferPointer { a in
            operands.b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(implementation, transposeA: test.transposeA, transposeB: test.transposeB,
                              m: test.m, n: test.n, k: test.k, alpha: test.alpha,
                              a: a.baseAddress!, lda: operands.lda, b: b.baseAddress!, ldb: operands.ldb,
                              beta: test.beta, c: c.baseAddress!, ldc: operands.ldc)
                }
            }
        }
        return c
    }

    @Test(arguments: implementations)
    func everyShapeTransposeAndScalar(implementation: BLAS.Kernels) {
        for (index, test) in Self.cases.enumerated() {
            let operands = Operands(test, seed: UInt64(index))
            Self.verify(test, operands, result: Self.product(test, operands, on: implementation), label: "\(implementation)")
        }
    }

    /// The row-vector bias (what Linear, Conv1d and the LSTM projection add) with beta 0 over NaN,
    /// beta 1 and a general beta, across the depth blocks.
    @Test(arguments: implementations)
    func biasIsAddedToEveryRow(implementation: BLAS.Kernels) {
        let shapes = [(5, 3, 4, Float(0)), (70, 33, 300, 1), (9, 65, 0, 0.5), (64, 512, 128, 0), (17, 40, 257, -1)]
        for (index, (m, n, k, beta)) in shapes.enumerated() {
            let test = Case(transposeA: index % 2 == 1, transposeB: index % 3 == 0, m: m, n: n, k: k,
                            alpha: index == 4 ? 0.5 : 1, beta: beta, padding: index % 2)
            let operands = Operands(test, seed: UInt64(3000 + index))
            var generator = SeededGenerator(seed: UInt64(4000 + index))
            let bias = (0..<n).map { _ in generator.nextNormal() }
            var c = operands.c
            operands.a.withUnsafeBufferPointer { a in
                operands.b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(implementation, transposeA: test.transposeA, transposeB: test.transposeB,
                                  m: m, n: n, k: k, alpha: test.alpha, a: a.baseAddress!, lda: operands.lda,
                                  b: b.baseAddress!, ldb: operands.ldb, beta: beta, c: c.baseAddress!, ldc: operands.ldc,
                                  bias: bias)
                    }
                }
            }
            Self.verify(test, operands, result: c, bias: bias, label: "\(implementation) with bias")
        }
    }

    @Test(arguments: implementations)
    func prepackedRightHandSide(implementation: BLAS.Kernels) {
        for (index, test) in Self.cases.enumerated() where index % 3 == 0 {
            let operands = Operands(test, seed: UInt64(1000 + index))
            let packed = PackedMatrix()
            var c = operands.c
            BLAS.$kernelsOverride.withValue(implementation) {
                operands.b.withUnsafeBufferPointer { b in
                    packed.pack(transpose: test.transposeB, k: test.k, n: test.n, b: b.baseAddress!, ldb: operands.ldb)
                    operands.a.withUnsafeBufferPointer { a in
                        c.withUnsafeMutableBufferPointer { c in
                            BLAS.gemm(transposeA: test.transposeA, m: test.m, n: test.n, k: test.k, alpha: test.alpha,
                                      a: a.baseAddress!, lda: operands.lda, packedB: packed,
                                      beta: test.beta, c: c.baseAddress!, ldc: operands.ldc)
                        }
                    }
                }
            }
            Self.verify(test, operands, result: c, label: "\(implementation) prepacked")
        }
    }

    /// Splitting a product over threads must not change a single bit: every element's sum runs in
    /// the same order whichever thread computes it (determinism for a given thread count is a promise).
    /// Runs on each of our own kernels the CPU has (OpenBLAS's results depend on its thread count).
    @Test(arguments: ownImplementations)
    func twoThreadsGiveTheSameBitsAsOne(implementation: BLAS.Kernels) throws {
        let shapes = [(2048, 512, 256, false, true), (64, 512, 128, false, true), (256, 384, 700, true, false),
                      (300, 40, 300, false, false)]
        let previous = BLAS.threadCount
        defer { BLAS.setThreadCount(previous) }
        for (index, shape) in shapes.enumerated() {
            let test = Case(transposeA: shape.3, transposeB: shape.4, m: shape.0, n: shape.1, k: shape.2,
                            alpha: 1, beta: 1, padding: 1)
            let operands = Operands(test, seed: UInt64(5000 + index))
            BLAS.setThreadCount(1)
            let single = Self.product(test, operands, on: implementation)
            BLAS.setThreadCount(2)
            let double = Self.product(test, operands, on: implementation)
            #expect(single.map(\.bitPattern) == double.map(\.bitPattern), "\(implementation) \(test)")
        }
    }

    @Test func overrideSelectsTheImplementation() {
        BLAS.$kernelsOverride.withValue(.openBLAS) { #expect(BLAS.kernels == .openBLAS && !BLAS.useOwnKernels) }
        for kernels in [BLAS.Kernels.avx512, .avx2] {
            BLAS.$kernelsOverride.withValue(kernels) {
                #expect(BLAS.kernels == (kernels.isAvailable ? kernels : .openBLAS), "\(kernels)")
            }
        }
    }

    /// `TUNE_GEMM` names one implementation; an unknown name, or kernels the CPU lacks, is an
    /// error that says what is allowed (it used to be ignored).
    @Test func theEnvironmentChoosesTheKernelsAndRefusesUnknownNames() throws {
        #expect(try BLAS.choice(environment: [:]).get() == BLAS.Kernels.available[0])
        #expect(try BLAS.choice(environment: ["TUNE_GEMM": "openblas"]).get() == .openBLAS)
        #expect(try BLAS.choice(environment: ["TUNE_GEMM": "OpenBLAS"]).get() == .openBLAS)
        if BLAS.Kernels.avx2.isAvailable {
            #expect(try BLAS.choice(environment: ["TUNE_GEMM": "avx2"]).get() == .avx2)
        }
        for text in ["avx", "own", "mkl", "openblas "] {
            guard case .failure(let error) = BLAS.choice(environment: ["TUNE_GEMM": text]) else {
                Issue.record("TUNE_GEMM=\(text) was accepted")
                continue
            }
            #expect(error.description.contains("TUNE_GEMM=\(text)") && error.description.contains("avx512, avx2, openblas"),
                    "\(error)")
        }
        if !BLAS.Kernels.avx512.isAvailable {
            guard case .failure(let error) = BLAS.choice(environment: ["TUNE_GEMM": "avx512"]) else {
                Issue.record("TUNE_GEMM=avx512 was accepted on a CPU without AVX-512")
                return
            }
            #expect(error.description.contains("cannot run the avx512 kernels"), "\(error)")
        }
    }
}

/// The kernels' thread pool: every part runs exactly once, products nested inside parts run
/// serially on the part's thread, and the caller's GEMM override reaches the parts.
@Suite("Parallel parts")
struct ParallelTests {
    @Test func everyPartRunsOnceWithNestedProducts() {
        let previous = BLAS.threadCount
        defer { BLAS.setThreadCount(previous) }
        BLAS.setThreadCount(2)
        let parts = 7
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: parts)  // (parts)
        counts.initialize(repeating: 0, count: parts)
        defer { counts.deallocate() }
        let (m, n, k) = (96, 64, 80)
        let a = Tensor(shape: [m, k]), b = Tensor(shape: [k, n])
        for index in 0..<a.count { a[flat: index] = Float(index % 7) - 3 }
        for index in 0..<b.count { b[flat: index] = Float(index % 5) - 2 }
        let results = Tensor(shape: [parts, m, n])      // (parts, m, n)
        let implementations = BLAS.$kernelsOverride.withValue(.openBLAS) { () -> [BLAS.Kernels] in
            var seen = [BLAS.Kernels](repeating: .avx2, count: parts)
            seen.withUnsafeMutableBufferPointer { seen in
                Parallel.forEach(parts: parts) { part in
                    counts[part] += 1
                    seen[part] = BLAS.kernels
                    BLAS.gemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n,
                              c: results.pointer + part * m * n, ldc: n)
                }
            }
            return seen
        }
        #expect((0..<parts).map { counts[$0] } == Array(repeating: 1, count: parts))
        #expect(implementations == Array(repeating: .openBLAS, count: parts))
        let first = Array(UnsafeBufferPointer(start: results.pointer, count: m * n))
        for part in 1..<parts {
            #expect(Array(UnsafeBufferPointer(start: results.pointer + part * m * n, count: m * n)) == first)
        }
    }

    @Test func rangesCoverTheCountEvenly() {
        for (parts, count) in [(1, 5), (2, 5), (3, 64), (7, 3)] {
            let ranges = (0..<parts).map { Parallel.range(part: $0, of: parts, count: count) }
            #expect(ranges.map(\.count).reduce(0, +) == count)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect((ranges.map(\.count).max() ?? 0) - (ranges.map(\.count).min() ?? 0) <= 1)
        }
    }
}
