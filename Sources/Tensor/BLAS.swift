import CKernels
import COpenBLAS
import Foundation

/// Matrix products. Every matrix product in the project goes through here.
///
/// Two implementations: our own AVX-512 kernels (`CKernels`), chosen at run time when the CPU has
/// AVX-512 and `TUNE_GEMM` is not `openblas`, and OpenBLAS otherwise. Tests run both
/// (`BLAS.$kernelsOverride.withValue(.openBLAS) { ... }`).
public enum BLAS {
    /// A GEMM implementation.
    public enum Kernels: String, Sendable, CaseIterable, CustomStringConvertible {
        /// CKernels' AVX-512 micro-kernels and thread pool.
        case own
        /// cblas_sgemm and OpenBLAS's threads.
        case openBLAS

        public var description: String { rawValue }
    }

    /// True when this CPU can run our own kernels.
    public static let ownKernelsAvailable: Bool = ckernels_has_avx512() != 0

    /// The process-wide choice: our kernels when the CPU has AVX-512, unless `TUNE_GEMM=openblas`.
    public static let defaultKernels: Kernels =
        ownKernelsAvailable && ProcessInfo.processInfo.environment["TUNE_GEMM"]?.lowercased() != "openblas"
            ? .own : .openBLAS

    /// Overrides the choice for the current task and what it calls (tests of both paths); our own
    /// kernels are used only where available.
    @TaskLocal public static var kernelsOverride: Kernels?

    /// The implementation products use here and now.
    public static var kernels: Kernels {
        guard let chosen = kernelsOverride else { return defaultKernels }
        return chosen == .own && !ownKernelsAvailable ? .openBLAS : chosen
    }

    /// True when products run on our own kernels.
    public static var useOwnKernels: Bool { kernels == .own }

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
    /// included), as in cblas_sgemm. `implementation` defaults to the process-wide choice; our own
    /// kernels run only where the CPU has them.
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
        if implementation == .own && ownKernelsAvailable {
            ckernels_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
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
            ckernels_sgemm_packed(transposeA ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                                  packed, beta, c, Int32(ldc), bias)
        } else if let source = packedB.source {
            gemm(.openBLAS, transposeA: transposeA, transposeB: packedB.transposed, m: m, n: n, k: k, alpha: alpha,
                 a: a, lda: lda, b: source, ldb: packedB.sourceStride, beta: beta, c: c, ldc: ldc, bias: bias)
        }
    }
}
