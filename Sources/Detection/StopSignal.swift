#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM as a readable pipe (the self-pipe trick), so a loop waiting in `poll` for
/// input wakes up, scores what it holds and exits cleanly instead of dying mid-batch.
public enum StopSignal {
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    /// Installs the handlers once and returns the pipe's read end, readable after a signal.
    public static func install() -> Int32 {
        if readEnd >= 0 { return readEnd }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return -1 }
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        readEnd = ends[0]
        writeEnd = ends[1]
        let handler: @convention(c) (Int32) -> Void = { _ in
            var byte: UInt8 = 1
            _ = write(StopSignal.writeEnd, &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with signals blocked (a thread pool's mask is inherited
        // through posix_spawn); then SIGTERM would never arrive.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        // A reader that goes away (`tune detect ... | head`) ends the output, not the process.
        signal(SIGPIPE, SIG_IGN)
        return readEnd
    }
}
