import Foundation
import Testing
import TestSupport
@testable import Search

/// Appends on a server whose default isolation is not READ COMMITTED, in a database of the
/// test's own (so the setting touches no other test), dropped at the end.
@Suite("PostgreSQL journal isolation", .enabled(if: PostgresServer.isRequiredOrAvailable, "no PostgreSQL test server (TUNE_TEST_POSTGRES_URL)"))
struct PostgresIsolationTests {
    /// On a database whose default isolation is SERIALIZABLE, four writers on their own
    /// connections append at once: no append fails with 40001, and every entry lands exactly
    /// once, gapless (read checks), each writer's entries in its order and each batch contiguous.
    @Test func concurrentAppendsSucceedWhenTheServerDefaultsToSerializable() throws {
        try PostgresTesting.withScratchDatabase("tune_serializable") { copy, admin in
            try admin.scalar("ALTER DATABASE \(copy.database) SET default_transaction_isolation = 'serializable'")
            let study = PostgresServer.uniqueStudy("serializable")
            let writers = 4, batches = 40
            let journals = try (0..<writers).map { _ in try PostgresJournal(location: copy, study: study) }
            let isolation = try journals[0].scalar("SHOW default_transaction_isolation")
            #expect(isolation == "serializable")
            let errors = ThreadLog()
            PostgresTesting.startWriters(journals) { writer, journal in
                for batch in 0..<batches {
                    do {
                        try journal.append(Self.batch(writer: writer, batch: batch))
                    } catch {
                        errors.add("w\(writer) batch \(batch): \(error)")
                    }
                }
            }.wait()
            #expect(errors.all.isEmpty, "\(errors.all.prefix(3))")

            let full = try PostgresJournal(location: copy, study: study).read(from: 0)
            var byWriter: [Int: [JournalOperation]] = [:]
            var index = 0
            while index < full.count {
                guard case .heartbeat(let worker, let time) = full[index], let writer = Int(worker.dropFirst()) else {
                    Issue.record("entry \(index) is not a test heartbeat")
                    return
                }
                let expected = Self.batch(writer: writer, batch: Int(time) / 10)
                #expect(Array(full[index..<min(index + expected.count, full.count)]) == expected,
                        "a batch of \(worker) is split at entry \(index)")
                byWriter[writer, default: []] += expected
                index += expected.count
            }
            for writer in 0..<writers {
                #expect(byWriter[writer] == (0..<batches).flatMap { Self.batch(writer: writer, batch: $0) },
                        "writer \(writer)'s entries are missing, doubled or out of order")
            }
        }
    }

    /// Writer `writer`'s batch `batch`: 1 to 3 heartbeats `w<writer>` at times batch*10 + i.
    static func batch(writer: Int, batch: Int) -> [JournalOperation] {
        (0..<(1 + (writer + batch) % 3)).map { .heartbeat(worker: "w\(writer)", time: Double(batch * 10 + $0)) }
    }
}
