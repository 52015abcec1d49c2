#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes with POSIX calls, straight into `[UInt8]` (no Foundation `Data`
/// detour, one copy from the kernel).
enum FileIO {
    /// The bytes of the file at `path`.
    static func readBytes(path: String) throws(DataError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadableFile(path: path, reason: systemMessage())
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadableFile(path: path, reason: systemMessage())
        }
        let size = Int(status.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var total = 0
            while total < size, let base = buffer.baseAddress {
                let count = read(descriptor, base + total, size - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = systemMessage()
                    break
                }
                if count == 0 { break }
                total += count
            }
            initialized = total
        }
        if let failure { throw .unreadableFile(path: path, reason: failure) }
        // Some files (procfs, pipes) report size 0; a plain read of a directory fails above.
        return bytes
    }

    /// Writes `bytes` to `path`, replacing any file there.
    static func writeBytes(_ bytes: [UInt8], path: String) throws(DataError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw .unwritableFile(path: path, reason: systemMessage())
        }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var total = 0
            while total < buffer.count, let base = buffer.baseAddress {
                let count = write(descriptor, base + total, buffer.count - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = systemMessage()
                    return
                }
                total += count
            }
        }
        if close(descriptor) != 0, failure == nil { failure = systemMessage() }
        if let failure { throw .unwritableFile(path: path, reason: failure) }
    }

    /// The text of the current `errno`.
    private static func systemMessage() -> String {
        String(cString: strerror(errno))
    }
}
