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
        let owners = snapshot.withTrials { trials in
            trials.indices.compactMap { trials[$0].state == .running ? trials[$0].worker : nil }
        }
        for worker in owners where worker != me {
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

/// A worker's name in the journal, `HOST:PID:NAMESPACE:INSTANCE`: which machine and process
/// claimed a trial. `INSTANCE` is random per process, so a worker restarted under the same host
/// name and pid (a container restarted in place, where it is PID 1 again) is a new worker: its
/// claims and heartbeat never pass for its predecessor's. `NAMESPACE` is the process's pid
/// namespace (Linux), telling whether a pid can be checked from here. Names written by earlier
/// releases, `HOST:PID`, still parse.
public struct WorkerName: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var processIdentifier: Int32
    /// The pid namespace's inode number, when known (written as 0 when not).
    public var namespace: UInt64?
    /// Eight random hex digits, fixed for the life of the process; nil in names of earlier releases.
    public var instance: String?

    public init(host: String, processIdentifier: Int32, namespace: UInt64? = nil, instance: String? = nil) {
        self.host = host
        self.processIdentifier = processIdentifier
        self.namespace = namespace
        self.instance = instance
    }

    /// This process (the same name for its whole life).
    public static let current = WorkerName(
        host: ProcessInfo.processInfo.hostName, processIdentifier: ProcessInfo.processInfo.processIdentifier,
        namespace: currentNamespace, instance: String(format: "%08x", UInt32.random(in: .min ... .max)))

    /// Parses `HOST:PID:NAMESPACE:INSTANCE` or `HOST:PID`; nil for names written otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 4, let pid = Int32(parts[parts.count - 3]), let namespace = UInt64(parts[parts.count - 2]),
           parts[parts.count - 1].count == 8, UInt32(parts[parts.count - 1], radix: 16) != nil {
            self.init(host: parts.dropLast(3).joined(separator: ":"), processIdentifier: pid,
                      namespace: namespace == 0 ? nil : namespace, instance: String(parts[parts.count - 1]))
            return
        }
        guard parts.count >= 2, let pid = Int32(parts[parts.count - 1]) else { return nil }
        self.init(host: parts.dropLast().joined(separator: ":"), processIdentifier: pid)
    }

    public var description: String {
        guard let instance else { return "\(host):\(processIdentifier)" }
        return "\(host):\(processIdentifier):\(namespace ?? 0):\(instance)"
    }

    /// True when the worker ran on this machine and its process no longer exists: its trials can
    /// be re-queued at once instead of after the heartbeat timeout.
    public var isGoneFromThisMachine: Bool {
        isGone(seenFrom: .current) { pid in kill(pid, 0) == 0 || errno != ESRCH }
    }

    /// Whether this worker has ended, as `me` can tell by looking at its own machine's processes
    /// (`processExists`): a worker of another host, or of another pid namespace of this host (another
    /// container with the same host name), cannot be checked and is left to its heartbeat. In
    /// `me`'s namespace, its pid being `me`'s own means that earlier instance has ended.
    func isGone(seenFrom me: WorkerName, processExists: (Int32) -> Bool) -> Bool {
        guard host == me.host, self != me else { return false }
        if let namespace, let mine = me.namespace, namespace != mine { return false }
        if processIdentifier == me.processIdentifier { return true }
        return !processExists(processIdentifier)
    }

    /// The inode number of this process's pid namespace (`/proc/self/ns/pid` reads `pid:[N]`).
    private static var currentNamespace: UInt64? {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid"),
              let open = link.firstIndex(of: "["), let close = link.lastIndex(of: "]"), open < close else { return nil }
        return UInt64(link[link.index(after: open)..<close])
    }
}
