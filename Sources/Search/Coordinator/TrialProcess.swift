import Foundation
import Synchronization

/// One trial running as a child process (`tune train --config ...`): its stdout is delivered line by
/// line as it arrives (the trial protocol is one JSON line per epoch), the tail of its stderr is
/// kept for the failure reason, and a time limit kills it.
///
/// Foundation starts the child in a process group of its own, so a Ctrl-C at the terminal reaches
/// only the coordinator, which passes it on with `interrupt()` (the trainer finishes its epoch and
/// checkpoints); a trial never sees the terminal's signal and the coordinator's as two presses.
/// A trial must not leave children of its own holding its pipes: `run` returns when they close.
public final class TrialProcess: Sendable {
    /// How many bytes of stderr are kept.
    public static let stderrTailLimit = 4096

    private let process: Process
    private let timeLimit: Duration?
    private let state = Mutex(State())

    private struct State {
        var timedOut = false
        var stderrTail: [UInt8] = []
        var started = false
        /// `interrupt()` came before the process started: it is interrupted as soon as it does.
        var interruptPending = false
    }

    /// A process of `executable` with `arguments`, not yet started. `environment` replaces the
    /// child's environment when given.
    public init(executable: URL, arguments: [String], environment: [String: String]? = nil,
                workingDirectory: URL? = nil, timeLimit: Duration? = nil) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        self.process = process
        self.timeLimit = timeLimit
    }

    /// The child's process id (valid once started).
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Starts the process, calls `onLine` for every stdout line (without the newline, on a
    /// background thread), and returns when it has ended and both pipes are drained.
    public func run(onLine: @escaping @Sendable (String) -> Void) throws -> TrialOutcome {
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let interruptNow = state.withLock { current in
            current.started = true
            return current.interruptPending
        }
        if interruptNow { interrupt() }

        // The pipes are read on threads of their own: blocking reads on Dispatch's global queue,
        // whose width is the core count, starved everything else queued there (the coordinator's
        // Ctrl-C handler among it) while two trials ran on two cores.
        let readers = DispatchGroup()
        Self.detach(in: readers) {
            Self.readLines(from: output.fileHandleForReading, onLine: onLine)
        }
        Self.detach(in: readers) {
            let handle = errors.fileHandleForReading
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.state.withLock { current in
                    current.stderrTail.append(contentsOf: chunk)
                    if current.stderrTail.count > Self.stderrTailLimit {
                        current.stderrTail.removeFirst(current.stderrTail.count - Self.stderrTailLimit)
                    }
                }
            }
        }
        var timer: DispatchSourceTimer?
        if let timeLimit {
            let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tune.trial-time-limit"))
            let (seconds, attoseconds) = timeLimit.components
            source.schedule(deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
            source.setEventHandler {
                self.state.withLock { $0.timedOut = true }
                kill(self.process.processIdentifier, SIGKILL)
            }
            source.resume()
            timer = source
        }
        process.waitUntilExit()
        timer?.cancel()
        readers.wait()

        let (timedOut, tail) = state.withLock { ($0.timedOut, $0.stderrTail) }
        let signaled = process.terminationReason == .uncaughtSignal
        return TrialOutcome(
            exitStatus: signaled ? nil : process.terminationStatus,
            signal: signaled ? process.terminationStatus : nil,
            timedOut: timedOut,
            stderrTail: String(decoding: tail, as: UTF8.self))
    }

    /// Asks the trial to stop after its current epoch (SIGINT; the trainer checkpoints and exits).
    public func interrupt() {
        let started = state.withLock { current in
            if !current.started { current.interruptPending = true }
            return current.started
        }
        if started, process.isRunning { kill(process.processIdentifier, SIGINT) }
    }

    /// Ends the trial at once (SIGKILL).
    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs `work` on a new thread, inside `group`.
    private static func detach(in group: DispatchGroup, _ work: @escaping @Sendable () -> Void) {
        group.enter()
        Thread.detachNewThread {
            work()
            group.leave()
        }
    }

    /// Splits a stream into lines; a last line without a newline is delivered too.
    private static func readLines(from handle: FileHandle, onLine: @Sendable (String) -> Void) {
        var pending: [UInt8] = []
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                onLine(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
    }
}
