import Foundation

/// A `tune` process that a test talks to while it runs: writes to its stdin, reads its stdout
/// lines as they come (each with the time it arrived) and signals its process group as a
/// terminal does (Foundation starts a child as the leader of its own process group).
public final class LiveTune: @unchecked Sendable {
    public let process = Process()
    private let input = Pipe()
    private let lock = NSCondition()
    private var lines: [(text: String, time: Double)] = []
    private var partial = Data()
    private var errors = Data()
    private var readers = DispatchGroup()

    /// Starts `binary` with `arguments`; its stdin is a pipe this object writes to.
    public init(_ binary: URL, _ arguments: [String], in directory: URL? = nil) throws {
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errorOutput
        try process.run()
        readers.enter()
        Thread.detachNewThread { [self] in
            let handle = output.fileHandleForReading
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                received(data)
            }
            readers.leave()
        }
        readers.enter()
        Thread.detachNewThread { [self] in
            let data = errorOutput.fileHandleForReading.readDataToEndOfFile()
            lock.lock()
            errors.append(data)
            lock.unlock()
            readers.leave()
        }
    }

    /// Seconds on a monotonic clock, the clock line arrival times use.
    public static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    private func received(_ data: Data) {
        let time = Self.now()
        lock.lock()
        partial.append(data)
        while let end = partial.firstIndex(of: 0x0A) {
            lines.append((String(decoding: partial[partial.startIndex..<end], as: UTF8.self), time))
            partial.removeSubrange(partial.startIndex...end)
        }
        lock.broadcast()
        lock.unlock()
    }

    /// Writes `text` to the process's stdin at once.
    public func write(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes stdin: the end of the input.
    public func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// The stdout lines so far, once there are at least `count` of them or `timeout` has passed.
    public func lines(atLeast count: Int, timeout: Double) -> [(text: String, time: Double)] {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while lines.count < count, lock.wait(until: deadline) {}
        return lines
    }

    /// Sends `signal` to the process group, as a terminal's Ctrl-C does.
    public func signalGroup(_ signal: Int32) {
        kill(-process.processIdentifier, signal)
    }

    /// Waits for the process to exit (killing it after `timeout`) and returns its status.
    public func finish(timeout: Double = 30) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(-process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        _ = readers.wait(timeout: .now() + 10)
        return process.terminationStatus
    }

    /// Everything written to stderr (complete once `finish` has returned).
    public var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }

    /// Every stdout line (complete once `finish` has returned).
    public var stdoutLines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines.map(\.text)
    }
}
