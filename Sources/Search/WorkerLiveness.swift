import Foundation

/// Finds dead workers from what this process has seen of their heartbeats: a worker that owns a
/// running trial and whose heartbeat has not changed for `timeout` seconds of *this* process's
/// clock is dead. Only local time is compared, so clocks of other machines may be off by any
/// amount; a process that has just started waits a full `timeout` before declaring anyone dead.
public struct WorkerLiveness: Sendable {
    /// Seconds without a new heartbeat after which a worker is dead.
    public let timeout: Double
    /// For each worker: the heartbeat last seen and when (local clock) it was first seen.
    private var lastSigns: [String: (heartbeat: Double?, seenAt: Double)] = [:]

    public init(timeout: Double) {
        self.timeout = timeout
    }

    /// The workers other than `me` that own running trials in `snapshot` and have shown no sign
    /// of life for `timeout` seconds as of `now` (seconds on a monotonic local clock).
    public mutating func deadWorkers(in snapshot: StudySnapshot, me: String, now: Double) -> Set<String> {
        var dead: Set<String> = []
        for trial in snapshot.trials where trial.state == .running {
            guard let worker = trial.worker, worker != me else { continue }
            let heartbeat = snapshot.heartbeats[worker]
            if let sign = lastSigns[worker], sign.heartbeat == heartbeat {
                if now - sign.seenAt >= timeout { dead.insert(worker) }
            } else {
                lastSigns[worker] = (heartbeat, now)
            }
        }
        return dead
    }
}

/// A worker's name in the journal, `HOST:PID`: which machine and process claimed a trial.
public struct WorkerName: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var processIdentifier: Int32

    public init(host: String, processIdentifier: Int32) {
        self.host = host
        self.processIdentifier = processIdentifier
    }

    /// This process.
    public static var current: WorkerName {
        WorkerName(host: ProcessInfo.processInfo.hostName, processIdentifier: ProcessInfo.processInfo.processIdentifier)
    }

    /// Parses `HOST:PID`; nil for names written otherwise.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let pid = Int32(text[text.index(after: colon)...]) else { return nil }
        self.init(host: String(text[..<colon]), processIdentifier: pid)
    }

    public var description: String { "\(host):\(processIdentifier)" }

    /// True when the worker ran on this machine and its process no longer exists: its trials can be
    /// re-queued at once instead of after the heartbeat timeout.
    public var isGoneFromThisMachine: Bool {
        let me = WorkerName.current
        guard host == me.host, processIdentifier != me.processIdentifier else { return false }
        return kill(processIdentifier, 0) == -1 && errno == ESRCH
    }
}
