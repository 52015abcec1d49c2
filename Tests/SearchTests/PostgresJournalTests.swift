import Foundation
import Testing
import TestSupport
@testable import Search

/// PostgreSQL-only behaviour of the journal: many writers on many connections, studies sharing a
/// database, lost connections, racing table creators. (The common behaviour is the conformance
/// suite in JournalBackendTests.) Each test uses studies of its own on the shared test server.
@Suite("PostgreSQL journal", .enabled(if: PostgresServer.isRequiredOrAvailable, "no PostgreSQL test server (TUNE_TEST_POSTGRES_URL)"))
struct PostgresJournalTests {
    /// Four writers, each with its own connection, append 50 batches of 1 to 4 entries while a
    /// reader polls for what is new: the reader's incremental view equals a full read at the end,
    /// ids are gapless (read checks) and every batch is contiguous.
    @Test func concurrentWritersAndAPollingReaderAgree() throws {
        guard let location = try PostgresTesting.location() else { return }
        let study = PostgresServer.uniqueStudy("concurrent")
        let writers = 4, batches = 50
        let journals = try (0..<writers).map { _ in try PostgresJournal(location: location, study: study) }
        let reader = try PostgresJournal(location: location, study: study)
        let errors = ThreadLog()
        let group = PostgresTesting.startWriters(journals) { writer, journal in
            for batch in 0..<batches {
                let size = 1 + (writer + batch) % 4
                let tag = "w\(writer)-b\(batch)-n\(size)"
                do {
                    try journal.append((0..<size).map { .heartbeat(worker: tag, time: Double($0)) })
                } catch {
                    errors.add("\(tag): \(error)")
                }
            }
        }
        var seen: [JournalOperation] = []
        var polls = 0
        while group.wait(timeout: .now() + .milliseconds(3)) == .timedOut {
            seen += try reader.read(from: seen.count)
            polls += 1
        }
        seen += try reader.read(from: seen.count)
        #expect(errors.all.isEmpty, "\(errors.all)")

        let full = try PostgresJournal(location: location, study: study).read(from: 0)
        let expected = (0..<writers).reduce(0) { total, writer in
            total + (0..<batches).reduce(0) { $0 + 1 + (writer + $1) % 4 }
        }
        #expect(full.count == expected)
        #expect(seen == full, "the reader's incremental view differs from a full read (after \(polls) polls)")

        var tags: Set<String> = []
        var index = 0
        while index < full.count {
            guard case .heartbeat(let tag, _) = full[index], let size = tag.split(separator: "n").last.flatMap({ Int($0) }) else {
                Issue.record("entry \(index) is not a test heartbeat")
                return
            }
            let run = full[index..<min(index + size, full.count)]
            #expect(run.map { if case .heartbeat(let worker, let time) = $0 { "\(worker)/\(Int(time))" } else { "?" } }
                    == (0..<size).map { "\(tag)/\($0)" }, "batch \(tag) is split at entry \(index)")
            #expect(tags.insert(tag).inserted, "batch \(tag) appears twice")
            index += size
        }
        #expect(tags.count == writers * batches)
    }

    /// Two studies in one database number their entries independently and never see each other's.
    @Test func studiesInOneDatabaseStaySeparate() throws {
        guard let location = try PostgresTesting.location() else { return }
        let first = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("first"))
        let second = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("second"))
        for round in 0..<3 {
            try first.append([.heartbeat(worker: "first", time: Double(round))])
            try second.append([.heartbeat(worker: "second", time: Double(round)), .heartbeat(worker: "second", time: 9)])
        }
        #expect(try first.read(from: 0) == (0..<3).map { .heartbeat(worker: "first", time: Double($0)) })
        #expect(try second.read(from: 0).count == 6)
        #expect(try second.read(from: 5) == [.heartbeat(worker: "second", time: 9)])
        #expect(try first.read(from: 3).isEmpty)
    }

    /// A connection the server ended between two calls (a restart, an administrator) is opened
    /// again by the next call.
    @Test func aConnectionEndedBetweenCallsIsOpenedAgain() throws {
        guard let location = try PostgresTesting.location() else { return }
        let study = PostgresServer.uniqueStudy("reconnect")
        let journal = try PostgresJournal(location: location, study: study)
        let observer = try PostgresJournal(location: location, study: study)
        try journal.append([.heartbeat(worker: "a", time: 1)])
        let pid = try PostgresTesting.backendPID(journal)
        try observer.scalar("SELECT pg_terminate_backend(\(pid), 5000)::text")
        try journal.append([.heartbeat(worker: "a", time: 2)])
        #expect(try journal.read(from: 0) == [.heartbeat(worker: "a", time: 1), .heartbeat(worker: "a", time: 2)])
        #expect(try PostgresTesting.backendPID(journal) != pid)
    }

    /// The connection dies while an append waits for the study's counter row: the append is
    /// retried on a new connection and its entries are written exactly once.
    @Test func anAppendWhoseConnectionDiesMidTransactionIsWrittenOnce() throws {
        guard let location = try PostgresTesting.location() else { return }
        let study = PostgresServer.uniqueStudy("midway")
        let journal = try PostgresJournal(location: location, study: study)
        let blocker = try PostgresJournal(location: location, study: study)
        let observer = try PostgresJournal(location: location, study: study)
        try journal.append([.heartbeat(worker: "before", time: 0)])
        let pid = try PostgresTesting.backendPID(journal)

        // Hold the counter row, so the append stops inside its transaction.
        try blocker.scalar("BEGIN")
        try blocker.scalar("SELECT next_id::text FROM tune_studies WHERE study = '\(study)' FOR UPDATE")
        let errors = ThreadLog()
        let done = DispatchSemaphore(value: 0)
        Thread {
            do {
                try journal.append([.heartbeat(worker: "during", time: 1), .heartbeat(worker: "during", time: 2)])
            } catch {
                errors.add("\(error)")
            }
            done.signal()
        }.start()
        let waiting = try PostgresTesting.wait {
            try observer.scalar("SELECT wait_event_type FROM pg_stat_activity WHERE pid = \(pid)") == "Lock"
        }
        #expect(waiting, "the append never waited for the counter row")
        try observer.scalar("SELECT pg_terminate_backend(\(pid), 5000)::text")
        try blocker.scalar("COMMIT")
        #expect(done.wait(timeout: .now() + 30) == .success, "the append did not finish")
        #expect(errors.all.isEmpty, "\(errors.all)")
        #expect(try journal.read(from: 0) == [.heartbeat(worker: "before", time: 0),
                                              .heartbeat(worker: "during", time: 1), .heartbeat(worker: "during", time: 2)])
        #expect(try PostgresTesting.backendPID(journal) != pid)
    }

    /// A retry of a batch whose first attempt did commit (only its answer was lost) adds nothing.
    @Test func aRetriedBatchThatHadCommittedIsNotWrittenTwice() throws {
        guard let location = try PostgresTesting.location() else { return }
        let journal = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("retry"))
        let batch = UUID()
        let bodies = [JournalOperation.heartbeat(worker: "once", time: 1)].map(JournalEncoding.encode)
        try journal.withConnection(while: "append") { connection, _ in
            try journal.appendBatch(bodies, batch: batch, unlessPresent: false, on: connection)
        }
        try journal.withConnection(while: "append again") { connection, _ in
            try journal.appendBatch(bodies, batch: batch, unlessPresent: true, on: connection)
        }
        try journal.append([.heartbeat(worker: "next", time: 2)])
        #expect(try journal.read(from: 0) == [.heartbeat(worker: "once", time: 1), .heartbeat(worker: "next", time: 2)])
    }

    /// Several journals opening a brand-new database at once all create (or find) the tables.
    @Test func racingCreatorsOfTheTablesAllSucceed() throws {
        try PostgresTesting.withScratchDatabase("tune_race") { fresh, _ in
            let errors = ThreadLog()
            let group = DispatchGroup()
            for creator in 0..<6 {
                group.enter()
                Thread {
                    do {
                        let journal = try PostgresJournal(location: fresh, study: "race-\(creator % 2)")
                        try journal.append([.heartbeat(worker: "c\(creator)", time: 0)])
                        journal.close()
                    } catch {
                        errors.add("\(error)")
                    }
                    group.leave()
                }.start()
            }
            group.wait()
            #expect(errors.all.isEmpty, "\(errors.all)")
            let entries = try PostgresJournal(location: fresh, study: "race-0").read(from: 0)
            #expect(entries.count == 3)
        }
    }

    /// A closed journal opens a new connection when used again.
    @Test func aClosedJournalReconnectsWhenUsedAgain() throws {
        guard let location = try PostgresTesting.location() else { return }
        let journal = try PostgresJournal(location: location, study: PostgresServer.uniqueStudy("close"))
        try journal.append([.heartbeat(worker: "a", time: 1)])
        journal.close()
        journal.close()
        #expect(try journal.read(from: 0).count == 1)
    }
}
