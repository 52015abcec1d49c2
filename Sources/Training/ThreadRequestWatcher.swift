import Foundation
import Tensor
import TrialProtocol

/// Follows a thread request file (`ThreadRequest`) between batches: one `stat` per batch (no
/// allocation), a read only when the file was replaced or changed. The count is applied only on
/// our own kernels, where it cannot change a result (OpenBLAS's sums depend on its thread count).
final class ThreadRequestWatcher {
    let url: URL
    private let path: String

    /// What tells one version of the file from the next: a rename gives a new inode.
    private struct Version: Equatable {
        var inode: UInt64
        var seconds: Int
        var nanoseconds: Int
        var size: Int64
    }

    private var seen: Version?

    init(url: URL) {
        self.url = url
        path = url.path
    }

    /// Sets the BLAS threads to the file's count when the file changed since the last call and
    /// our own kernels run; returns the count it set, else nil.
    @discardableResult
    func apply() -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let version = Version(inode: UInt64(info.st_ino), seconds: Int(info.st_mtim.tv_sec),
                              nanoseconds: Int(info.st_mtim.tv_nsec), size: Int64(info.st_size))
        guard version != seen else { return nil }
        seen = version
        guard BLAS.useOwnKernels, let count = ThreadRequest.read(url) else { return nil }
        BLAS.setThreadCount(count)
        return count
    }
}
