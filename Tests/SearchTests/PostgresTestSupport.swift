import Foundation
import Testing
import TestSupport
@testable import Search

/// Helpers for the PostgreSQL tests: the server's location, raw statements on a journal's own
/// connection, and a free port.
enum PostgresTesting {
    /// The test server's location, or nil when PostgreSQL tests are skipped.
    static func location(sourceLocation: SourceLocation = #_sourceLocation) throws -> PostgresLocation? {
        guard let url = PostgresServer.url(sourceLocation: sourceLocation) else { return nil }
        return try PostgresLocation(url: url, environment: [:])
    }

    /// Runs `body` with the location of a new, empty database named `prefix_<random>` (its own
    /// settings, tables and race), dropped afterwards; nil when PostgreSQL tests are skipped.
    static func withScratchDatabase(_ prefix: String, sourceLocation: SourceLocation = #_sourceLocation,
                                    _ body: (_ location: PostgresLocation, _ admin: PostgresJournal) throws -> Void) throws {
        guard let location = try location(sourceLocation: sourceLocation) else { return }
        let admin = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("admin"))
        let name = "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try admin.scalar("CREATE DATABASE \(name)")
        defer { _ = try? admin.scalar("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        var scratch = location
        scratch.database = name
        try body(scratch, admin)
    }

    /// Starts one thread per journal, each calling `write(writer, journal)`; the group is done
    /// when every writer is (concurrent-append tests wait on it, or poll while it runs).
    static func startWriters(_ journals: [PostgresJournal],
                             _ write: @escaping @Sendable (_ writer: Int, _ journal: PostgresJournal) -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        for (writer, journal) in journals.enumerated() {
            group.enter()
            Thread {
                write(writer, journal)
                group.leave()
            }.start()
        }
        return group
    }

    /// The server process serving `journal`'s connection.
    static func backendPID(_ journal: PostgresJournal) throws -> Int {
        guard let text = try journal.scalar("SELECT pg_backend_pid()::text"), let pid = Int(text) else {
            throw StudyError(.storage, "no backend pid")
        }
        return pid
    }

    /// Polls `condition` every 20 ms for up to `seconds`; false when it never held.
    static func wait(seconds: Double = 15, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
    static func unusedPort() -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && getsockname(socketFD, generic, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : 1
    }

    /// A folder of its own for one test.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Errors and notes gathered from several threads.
final class ThreadLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
