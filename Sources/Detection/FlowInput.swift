#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowData

/// Where flow records come from: standard input, a file read once, or a file a flow exporter
/// keeps appending to, followed as `tail -F` does (a rotated file is read to its end and the new
/// one from its start; a truncated file from its start). Hands out whole lines only.
public final class FlowInput {
    /// What waiting for input gave.
    public enum Event {
        /// The next file begins (its header comes again): after a rotation or truncation.
        case newFile
        /// Whole lines, the first numbered `firstLine` in its file.
        case lines([UInt8], firstLine: Int)
        /// Nothing new before the timeout.
        case idle
        /// The input ended (not following).
        case end
        /// SIGINT or SIGTERM arrived.
        case stopped
    }

    /// Names the input in messages.
    public let name: String
    private let path: String?
    private let follow: Bool
    private let stopFD: Int32
    private var fd: Int32 = -1
    private var isRegularFile = false
    private var fileIdentity: (device: UInt64, inode: UInt64)?
    private var offset: Int64 = 0
    private var partial: [UInt8] = []
    private var nextLine = 1
    private var pendingNewFile = false
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    /// How often a followed file is checked for growth and rotation.
    private let followInterval = 0.005

    /// Reads `path` (nil or `-`: standard input); `follow` keeps reading a file as it grows.
    public init(path: String?, follow: Bool, stopFD: Int32) throws {
        self.path = path == "-" ? nil : path
        self.follow = follow && path != nil && path != "-"
        self.stopFD = stopFD
        name = self.path ?? "stdin"
        if let path = self.path {
            guard try openFile(path) || self.follow else {
                throw DataError.unreadableFile(path: path, reason: "no such file")
            }
        } else {
            fd = 0
            isRegularFile = Self.isRegular(fd)
        }
    }

    deinit {
        if fd > 0 { close(fd) }
    }

    /// Waits at most `timeout` seconds for input.
    public func next(timeout: Double) -> Event {
        if pendingNewFile {
            pendingNewFile = false
            return .newFile
        }
        if fd < 0 {
            // Following a file that does not exist yet (or was just rotated away).
            if let path, (try? openFile(path)) == true { return .newFile }
            return wait(min(timeout, followInterval)) ? .stopped : .idle
        }
        if !isRegularFile {
            var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, 2, Int32(max(0, timeout * 1000).rounded(.up)))
            if ready > 0, descriptors[1].revents != 0 { return .stopped }
            if ready <= 0 { return .idle }
        } else if wait(0) {
            return .stopped
        }
        let count = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            offset += Int64(count)
            partial.append(contentsOf: readBuffer[0..<count])
            return takeLines(final: false)
        }
        if count < 0, errno == EINTR || errno == EAGAIN { return .idle }
        // End of the file (or of the pipe).
        if !follow {
            if !partial.isEmpty { return takeLines(final: true) }
            return .end
        }
        if let rotated = checkRotation() { return rotated }
        return wait(min(timeout, followInterval)) ? .stopped : .idle
    }

    /// True when a stop signal arrives within `seconds`.
    private func wait(_ seconds: Double) -> Bool {
        var descriptor = pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(max(0, seconds * 1000).rounded(.up))) > 0
    }

    /// The whole lines held (all of them when `final`), as an event.
    private func takeLines(final: Bool) -> Event {
        guard let end = final ? partial.count - 1 : partial.lastIndex(of: 0x0A) else { return .idle }
        let lines = Array(partial[0...end])
        partial.removeSubrange(0...end)
        let first = nextLine
        for byte in lines where byte == 0x0A { nextLine += 1 }
        if final, lines.last != 0x0A { nextLine += 1 }
        return .lines(lines, firstLine: first)
    }

    /// At the end of a followed file: the path now names another file, or the file shrank.
    private func checkRotation() -> Event? {
        guard let path else { return nil }
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }  // between rename and re-create
        let identity = (UInt64(status.st_dev), UInt64(status.st_ino))
        if let current = fileIdentity, current == identity {
            guard Int64(status.st_size) < offset else { return nil }
            // Truncated in place: start over.
            _ = lseek(fd, 0, SEEK_SET)
            offset = 0
            partial.removeAll()
            nextLine = 1
            return .newFile
        }
        // Rotated: read what the exporter wrote to the old file since, then the new one from its
        // start; a last line without a break still counts.
        while true {
            let count = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            partial.append(contentsOf: readBuffer[0..<count])
        }
        let leftover = partial.isEmpty ? nil : takeLines(final: true)
        close(fd)
        fd = -1
        if (try? openFile(path)) == true {
            pendingNewFile = leftover != nil
            return leftover ?? .newFile
        }
        return leftover ?? .idle
    }

    /// Opens `path` from its start; false when it does not exist.
    @discardableResult
    private func openFile(_ path: String) throws -> Bool {
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else {
            if errno == ENOENT { return false }
            throw DataError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        fstat(opened, &status)
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(opened)
            throw DataError.unreadableFile(path: path, reason: "it is a directory")
        }
        fd = opened
        isRegularFile = (status.st_mode & S_IFMT) == S_IFREG
        fileIdentity = (UInt64(status.st_dev), UInt64(status.st_ino))
        offset = 0
        partial.removeAll()
        nextLine = 1
        return true
    }

    private static func isRegular(_ fd: Int32) -> Bool {
        var status = stat()
        return fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}
