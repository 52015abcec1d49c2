import CKernels

/// A GEMM right-hand side op(B) (k, n) prepared once and reused by many products: the LSTM's
/// recurrent weights serve every time step of a batch. On our own kernels it holds B packed into
/// the micro-kernel's panel layout; on OpenBLAS it only remembers where B is, so B must not change
/// or move while it is in use.
public final class PackedMatrix {
    /// k, the depth of the products it serves.
    public private(set) var rows = 0
    /// n, the columns of the products it serves.
    public private(set) var columns = 0
    /// The packed panels, 64-byte aligned, when packed for our own kernels.
    private(set) var packed: UnsafeMutablePointer<Float>?
    /// B itself, when the products run on OpenBLAS.
    private(set) var source: UnsafePointer<Float>?
    private(set) var sourceStride = 0
    private(set) var transposed = false
    /// The kernels it was packed for (the panel layout differs between them).
    private(set) var kernels = BLAS.Kernels.openBLAS
    private var capacity = 0                         // floats allocated at `storage`
    private var storage: UnsafeMutableRawPointer?    // (capacity) floats, 64-byte aligned

    public init() {}

    deinit {
        storage?.deallocate()
    }

    /// Prepares op(B) (k, n) from `b` with row stride `ldb` (transposed when `transpose`), for the
    /// kernels chosen here and now (`BLAS.kernels`). Allocates only when it needs more room.
    public func pack(transpose: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int) {
        rows = k
        columns = n
        transposed = transpose
        sourceStride = ldb
        kernels = BLAS.kernels
        guard kernels.isOwn else {
            packed = nil
            source = b
            return
        }
        source = nil
        let count = Int(ckernels_sgemm_packed_b_count(kernels.ckernelsValue, Int32(k), Int32(n)))
        let buffer: UnsafeMutableRawPointer
        if let storage, count <= capacity {
            buffer = storage
        } else {
            storage?.deallocate()
            buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * 4, alignment: 64)
            storage = buffer
            capacity = count
        }
        let target = buffer.bindMemory(to: Float.self, capacity: Swift.max(capacity, 1))
        if k > 0 && n > 0 {
            ckernels_sgemm_pack_b(kernels.ckernelsValue, transpose ? 1 : 0, Int32(k), Int32(n), b, Int32(ldb), target)
        }
        packed = target
    }
}
