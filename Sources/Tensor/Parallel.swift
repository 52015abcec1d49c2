import CKernels

/// Work spread over the kernels' thread pool (`BLAS.setThreadCount` threads, the caller's
/// included). Used for independent slices of a batch: parts must write disjoint memory.
public enum Parallel {
    /// The number of threads parts can run on.
    public static var threadCount: Int { BLAS.threadCount }

    /// Runs `body(part)` for every part in 0..<parts and returns when all are done. Parts run
    /// concurrently on the pool (serially when `concurrently` is false, the pool has one thread,
    /// or this is already inside a part). The caller's `BLAS.kernelsOverride` holds inside.
    public static func forEach(parts: Int, concurrently: Bool = true, _ body: (Int) -> Void) {
        guard parts > 1, concurrently, threadCount > 1 else {
            for part in 0..<Swift.max(parts, 0) { body(part) }
            return
        }
        let override = BLAS.kernelsOverride
        withoutActuallyEscaping(body) { body in
            var work: Work = { part in
                if let override {
                    BLAS.$kernelsOverride.withValue(override) { body(part) }
                } else {
                    body(part)
                }
            }
            withUnsafeMutablePointer(to: &work) { pointer in
                ckernels_parallel(Int32(parts), { context, part, _ in
                    guard let context else { return }
                    context.assumingMemoryBound(to: Work.self).pointee(Int(part))
                }, pointer)
            }
        }
    }

    private typealias Work = (Int) -> Void

    /// The half-open range of `count` items that part `part` of `parts` takes (even shares).
    public static func range(part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }
}
