import Foundation
import Tensor
import TrialProtocol

/// Follows a thread request file (`ThreadRequest`) between batches: one `stat` per batch, a read
/// only when the file was replaced or changed. The count is applied only on our own kernels,
/// where it cannot change a result (OpenBLAS's sums depend on its thread count).
final class ThreadRequestWatcher {
    let url: URL
    /// The file's identity when last read: inode and modification time.
    private var seen: [Int] = []

    init(url: URL) { self.url = url }

    /// Sets the BLAS threads to the file's count when the file changed since the last call and
    /// our own kernels run; returns the count it set, else nil.
    @discardableResult
    func apply() -> Int? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        let identity = [Int(info.st_ino), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_size)]
        guard identity != seen else { return nil }
        seen = identity
        guard BLAS.useOwnKernels, let count = ThreadRequest.read(url) else { return nil }
        BLAS.setThreadCount(count)
        return count
    }
}
