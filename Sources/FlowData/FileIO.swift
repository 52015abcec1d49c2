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
        let writer = try Writer(path: path)
        try writer.append(bytes)
        try writer.finish(sync: false)
    }

    /// Sequential writes to a new file (replacing any there), with zero padding up to offsets.
    final class Writer {
        private let descriptor: Int32
        private let path: String
        private(set) var offset = 0
        private var isOpen = true

        init(path: String) throws(DataError) {
            self.path = path
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw .unwritableFile(path: path, reason: systemMessage()) }
        }

        deinit { if isOpen { close(descriptor) } }

        func append(_ bytes: UnsafeRawBufferPointer) throws(DataError) {
            var written = 0
            while written < bytes.count, let base = bytes.baseAddress {
                let count = write(descriptor, base + written, bytes.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .unwritableFile(path: path, reason: systemMessage())
                }
                written += count
            }
            offset += bytes.count
        }

        func append(_ bytes: [UInt8]) throws(DataError) {
            var failure: DataError?
            bytes.withUnsafeBytes { buffer in
                do throws(DataError) { try append(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
        }

        /// Zeros up to byte `target` of the file.
        func pad(to target: Int) throws(DataError) {
            if target > offset { try append([UInt8](repeating: 0, count: target - offset)) }
        }

        /// Closes the file, first flushing it to disk when `sync` (so a rename after it publishes a whole file).
        func finish(sync: Bool) throws(DataError) {
            isOpen = false
            let synced = !sync || fsync(descriptor) == 0
            let failure = synced ? nil : systemMessage()
            guard close(descriptor) == 0, failure == nil else {
                throw .unwritableFile(path: path, reason: failure ?? systemMessage())
            }
        }
    }

    /// The text of the current `errno`.
    static func systemMessage() -> String {
        String(cString: strerror(errno))
    }
}
