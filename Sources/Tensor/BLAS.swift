import CKernels
import COpenBLAS
import Foundation

/// Matrix products. Every matrix product in the project goes through here.
///
/// Three implementations: our own kernels (`CKernels`) for AVX-512 or for AVX2 + FMA, and
/// OpenBLAS. The best one the CPU has is chosen at run time; `TUNE_GEMM` (`avx512`, `avx2`,
/// `openblas`) forces one. Tests run each one the CPU has
/// (`BLAS.$kernelsOverride.withValue(.avx2) { ... }`).
public enum BLAS {
    /// A GEMM implementation; its raw value is its name in `TUNE_GEMM` and in benchmark output.
    public enum Kernels: String, Sendable, CaseIterable, CustomStringConvertible {
        /// CKernels' AVX-512 micro-kernels (8 x 32 tiles) and thread pool.
        case avx512
        /// CKernels' AVX2 + FMA micro-kernels (6 x 16 tiles) and thread pool.
        case avx2
        /// cblas_sgemm and OpenBLAS's threads.
        case openBLAS = "openblas"

        public var description: String { rawValue }

        /// True for our own kernels (CKernels), false for OpenBLAS.
        public var isOwn: Bool { self != .openBLAS }

        /// True when this CPU can run them.
        public var isAvailable: Bool {
            switch self {
            case .avx512: BLAS.cpuHasAVX512
            case .avx2: BLAS.cpuHasAVX2
            case .openBLAS: true
            }
        }

        /// The implementations this CPU can run, best first.
        public static var available: [Kernels] { allCases.filter(\.isAvailable) }

        /// CKernels' name for our own micro-kernels.
        var ckernelsValue: Int32 { self == .avx2 ? CKERNELS_GEMM_AVX2 : CKERNELS_GEMM_AVX512 }
    }

    /// The environment variable that forces an implementation.
    public static let environmentVariable = "TUNE_GEMM"

    private static let cpuHasAVX512 = ckernels_has_avx512() != 0
    private static let cpuHasAVX2 = ckernels_has_avx2() != 0

    /// A `TUNE_GEMM` value that names no implementation, or one this CPU cannot run.
    public struct ChoiceError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The implementation `TUNE_GEMM` asks for, else the best this CPU has; an unknown value, or
    /// kernels the CPU lacks, is an error (the command line reports it before any work).
    public static func choice(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<Kernels, ChoiceError> {
        guard let text = environment[environmentVariable], !text.isEmpty else { return .success(Kernels.available[0]) }
        let names = Kernels.allCases.map(\.rawValue).joined(separator: ", ")
        guard let kernels = Kernels(rawValue: text.lowercased()) else {
            return .failure(ChoiceError(description: "\(environmentVariable)=\(text) names no GEMM implementation; use one of \(names)"))
        }
        guard kernels.isAvailable else {
            let usable = Kernels.available.map(\.rawValue).joined(separator: ", ")
            return .failure(ChoiceError(description: "\(environmentVariable)=\(text): this CPU cannot run the \(kernels) kernels; it can run \(usable)"))
        }
        return .success(kernels)
    }

    /// The process-wide choice (`choice()`; the best available when `TUNE_GEMM` is unusable,
    /// which the command line refuses before it gets here).
    public static let defaultKernels: Kernels = (try? choice().get()) ?? Kernels.available[0]

    /// Overrides the choice for the current task and what it calls (tests of each path); kernels
    /// this CPU lacks fall back to OpenBLAS.
    @TaskLocal public static var kernelsOverride: Kernels?

    /// The implementation products use here and now.
    public static var kernels: Kernels {
        guard let chosen = kernelsOverride else { return defaultKernels }
        return chosen.isAvailable ? chosen : .openBLAS
    }

    /// True when products run on our own kernels.
    public static var useOwnKernels: Bool { kernels.isOwn }

    /// Sets the number of threads each product (and `Parallel.forEach`) may use, at least 1.
    public static func setThreadCount(_ count: Int) {
        let threads = Swift.max(1, count)
        openblas_set_num_threads(Int32(threads))
        ckernels_set_thread_count(Int32(Swift.min(threads, 64)))
    }

    /// The number of threads each product may use.
    public static var threadCount: Int {
        Int(ckernels_thread_count())
    }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C (+ bias)` where op(A) is (m, k), op(B) is
    /// (k, n) and C is (m, n); `lda`, `ldb`, `ldc` are the row strides of the stored matrices; `bias`
    /// (n), when given, is added to every row. With beta 0 C's old contents are ignored (NaN
    /// included), as in cblas_sgemm. `implementation` defaults to the choice here and now; kernels
    /// the CPU lacks fall back to OpenBLAS.
    public static func gemm(
        _ implementation: Kernels = kernels,
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>? = nil
    ) {
        guard m > 0, n > 0 else { return }
        if implementation.isOwn && implementation.isAvailable {
            ckernels_sgemm(implementation.ckernelsValue, transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                           a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc), bias)
            return
        }
        var beta = beta
        var biasAfterwards: UnsafePointer<Float>?  // added once the product is in C
        if let bias {
            if beta == 0 {
                // Rows start as the bias and the product adds to them (beta 1).
                for row in 0..<m { (c + row * ldc).update(from: bias, count: n) }
                beta = 1
            } else {
                biasAfterwards = bias
            }
        }
        if k == 0 {
            // OpenBLAS handles k = 0 by scaling C, but be explicit about it.
            for row in 0..<m {
                let cRow = c + row * ldc
                for column in 0..<n { cRow[column] = beta == 0 ? 0 : beta * cRow[column] }
            }
        } else {
            cblas_sgemm(
                CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
        }
        if let bias = biasAfterwards {
            for row in 0..<m {
                let cRow = c + row * ldc
                for column in 0..<n { cRow[column] += bias[column] }
            }
        }
    }

    /// `gemm` with op(B) prepared once by `PackedMatrix.pack` and reused across many products.
    public static func gemm(
        transposeA: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        packedB: PackedMatrix,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>? = nil
    ) {
        precondition(packedB.rows == k && packedB.columns == n,
                     "packed B is (\(packedB.rows), \(packedB.columns)), the product needs (\(k), \(n))")
        guard m > 0, n > 0 else { return }
        if let packed = packedB.packed {
            ckernels_sgemm_packed(packedB.kernels.ckernelsValue, transposeA ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                                  packed, beta, c, Int32(ldc), bias)
        } else if let source = packedB.source {
            gemm(.openBLAS, transposeA: transposeA, transposeB: packedB.transposed, m: m, n: n, k: k, alpha: alpha,
                 a: a, lda: lda, b: source, ldb: packedB.sourceStride, beta: beta, c: c, ldc: ldc, bias: bias)
        }
    }
}
