import COpenBLAS

/// Matrix products through OpenBLAS. Every matrix product in the project goes through here.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for each product (at least 1).
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(Swift.max(1, count)))
    }

    /// The number of threads OpenBLAS uses for each product.
    public static var threadCount: Int {
        Int(openblas_get_num_threads())
    }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` where op(A) is (m, k), op(B) is (k, n)
    /// and C is (m, n); `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
    @inlinable
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // OpenBLAS handles k = 0 by scaling C, but be explicit about it.
            for row in 0..<m {
                let cRow = c + row * ldc
                for column in 0..<n { cRow[column] = beta == 0 ? 0 : beta * cRow[column] }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}
