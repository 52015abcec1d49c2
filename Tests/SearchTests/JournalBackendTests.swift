import Foundation
import FileFormats
import Testing
import TestSupport
@testable import Search

/// The journal backends under test. A new backend (PostgreSQL) adds a case here and must pass
/// the whole suite unchanged.
enum BackendKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends to run the suite on: all, but PostgreSQL only when a test server is
    /// configured (`TUNE_TEST_POSTGRES_URL`) or CI requires one.
    static let underTest: [BackendKind] = {
        if PostgresServer.isRequiredOrAvailable { return allCases }
        print("skipped: the journal suite on PostgreSQL (set \(PostgresServer.variable), or run scripts/test)")
        return allCases.filter { $0 != .postgres }
    }()

    /// A fresh, empty journal, and a way to open it again as another process would.
    func make() throws -> (journal: any JournalBackend, reopen: () throws -> any JournalBackend) {
        switch self {
        case .memory:
            let journal = InMemoryJournal()
            return (journal, { journal })
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-journal-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("journal.sqlite").path
            return (try SQLiteJournal(path: path), { try SQLiteJournal(path: path) })
        case .postgres:
            guard let url = PostgresServer.url() else { throw StudyError(.storage, "no PostgreSQL test server") }
            let location = try PostgresLocation(url: url)
            let study = PostgresServer.uniqueStudy("suite")
            return (try PostgresJournal(location: location, study: study), { try PostgresJournal(location: location, study: study) })
        }
    }
}

@Suite("Journal backends")
struct JournalBackendTests {
    static let header = StudyHeader(name: "toy", fingerprint: "0123456789abcdef",
                                    document: .object(["name": .string("toy"), "nested": .array([.number(1.5), .null, .bool(true)])]),
                                    seed: -9_007_199_254_740_993)

    /// One of every operation, with awkward values.
    static let everyOperation: [JournalOperation] = [
        .createStudy(header),
        .createTrial(number: 0, parameters: ["lr": .number(0.000123), "variant": .string("bi\"lstm\"\n✓"),
                                             "conv_channels": .array([.number(64), .number(128)]), "flag": .bool(false)]),
        .claimTrial(number: 0, targetEpochs: 3, worker: "host-1:4242"),
        .reportEpoch(number: 0, epoch: 1, metrics: ["val_loss": 0.6931471805599453, "val_f1": 1e-300, "big": 1.7e308]),
        .reportEpoch(number: 0, epoch: 2, metrics: ["val_loss": .infinity, "low": -.infinity]),
        .setState(number: 0, state: .failed, reason: "val_loss is not finite"),
        .setState(number: 0, state: .waiting, reason: nil),
        .heartbeat(worker: "host-1:4242", time: 1_732_567_890.125),
    ]

    @Test(arguments: BackendKind.underTest)
    func anEmptyJournalReadsEmpty(kind: BackendKind) throws {
        let (journal, _) = try kind.make()
        #expect(try journal.read(from: 0).isEmpty)
        #expect(try journal.read(from: 5).isEmpty)
        #expect(throws: StudyError.self) { try journal.read(from: -1) }
    }

    @Test(arguments: BackendKind.underTest)
    func everyOperationRoundTrips(kind: BackendKind) throws {
        let (journal, reopen) = try kind.make()
        try journal.append(Self.everyOperation)
        #expect(try journal.read(from: 0) == Self.everyOperation)
        #expect(try reopen().read(from: 0) == Self.everyOperation)
    }

    @Test(arguments: BackendKind.underTest)
    func notANumberSurvives(kind: BackendKind) throws {
        let (journal, _) = try kind.make()
        try journal.append([.reportEpoch(number: 0, epoch: 1, metrics: ["val_loss": .nan])])
        guard case .reportEpoch(_, _, let metrics, _)? = try journal.read(from: 0).first else {
            Issue.record("not a report")
            return
        }
        #expect(metrics["val_loss"]?.isNaN == true)
    }

    @Test(arguments: BackendKind.underTest)
    func readFromReturnsExactlyTheTail(kind: BackendKind) throws {
        let (journal, _) = try kind.make()
        for batch in stride(from: 0, to: Self.everyOperation.count, by: 3) {
            try journal.append(Array(Self.everyOperation[batch..<min(batch + 3, Self.everyOperation.count)]))
        }
        for index in 0...Self.everyOperation.count {
            #expect(try journal.read(from: index) == Array(Self.everyOperation[index...]))
        }
        try journal.append([])
        #expect(try journal.read(from: 0).count == Self.everyOperation.count)
    }

    @Test(arguments: BackendKind.underTest)
    func concurrentAppendsAreNeitherLostNorInterleaved(kind: BackendKind) async throws {
        let (journal, reopen) = try kind.make()
        let writers = 4, batches = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                // Each writer its own connection where the backend has connections.
                let own = writer == 0 ? journal : try reopen()
                group.addTask {
                    for batch in 0..<batches {
                        let tag = "w\(writer)-b\(batch)"
                        try own.append((0..<3).map { .heartbeat(worker: tag, time: Double($0)) })
                    }
                }
            }
            try await group.waitForAll()
        }
        let entries = try journal.read(from: 0)
        #expect(entries.count == writers * batches * 3)
        var seen: Set<String> = []
        for start in stride(from: 0, to: entries.count, by: 3) {
            let tags = entries[start..<start + 3].compactMap { entry -> String? in
                if case .heartbeat(let worker, _) = entry { return worker }
                return nil
            }
            #expect(Set(tags).count == 1, "a batch was split at entry \(start)")
            #expect(entries[start..<start + 3].map { if case .heartbeat(_, let time) = $0 { return time } else { return -1 } } == [0, 1, 2])
            if let tag = tags.first { seen.insert(tag) }
        }
        #expect(seen.count == writers * batches)
    }

    @Test(arguments: BackendKind.underTest)
    func aStudyReplaysTheSameFromAnyBackend(kind: BackendKind) throws {
        let (journal, reopen) = try kind.make()
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "asha", maxEpochs: 9))
        let simulation = SearchSimulation(scheduler: SearchScheduler(definition: definition, seed: 3), workers: 2, trialBudget: 9,
                                          objective: { SearchFixtures.learningCurve($0, trialNumber: $1, epoch: $2) })
        var study = try Study.open(journal: journal, definition: definition, seed: 3)
        let result = try simulation.run(study: &study)
        #expect(result.status == .finished)
        let reopened = try Study.load(journal: try reopen())
        #expect(reopened.snapshot == result.snapshot)

        var inMemory = try Study.open(journal: InMemoryJournal(), definition: definition, seed: 3)
        _ = try simulation.run(study: &inMemory)
        #expect(SearchFixtures.outcome(inMemory.snapshot) == SearchFixtures.outcome(result.snapshot))
    }

    @Test func sqliteUsesWriteAheadLogging() throws {
        let (journal, _) = try BackendKind.sqlite.make()
        guard let sqlite = journal as? SQLiteJournal else { return }
        try sqlite.append([.createStudy(Self.header)])
        #expect(FileManager.default.fileExists(atPath: sqlite.path + "-wal"))
    }

    /// Coordinators started at the same moment on a study that does not exist yet all open (and
    /// create) its journal at once: every one of them opens it, none sees "database is locked".
    @Test func connectionsOpeningOneNewJournalAtOnceAllOpenIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-open-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let openers = 4
        for round in 0..<100 {
            let path = directory.appendingPathComponent("journal-\(round).sqlite").path
            let failures = LockedFailures()
            DispatchQueue.concurrentPerform(iterations: openers) { _ in
                do throws(StudyError) {
                    let journal = try SQLiteJournal(path: path)
                    _ = try journal.read(from: 0)
                } catch {
                    failures.add(error.message)
                }
            }
            #expect(failures.messages.isEmpty, "round \(round): \(failures.messages)")
            if !failures.messages.isEmpty { break }
        }
    }

    @Test func sqliteReportsAnUnopenablePath() {
        do throws(StudyError) {
            _ = try SQLiteJournal(path: "/nonexistent-directory/x/journal.sqlite")
            Issue.record("opened a journal in a missing directory")
        } catch {
            #expect(error.kind == .storage)
            #expect(error.message.contains("/nonexistent-directory/x/journal.sqlite"))
        }
    }

    /// An SQLite journal on a network file system is refused by path and file system, before
    /// anything is created; the mount table tells NFS and CIFS mounts from local ones.
    @Test func sqliteOnANetworkFileSystemIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-nfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("journal.sqlite").path
        do throws(StudyError) {
            _ = try SQLiteJournal(path: path, networkFileSystem: { $0 == path ? "nfs" : nil })
            Issue.record("opened a journal on a network file system")
        } catch {
            #expect(error.kind == .badStorageLocation)
            #expect(error.message.contains(path) && error.message.contains("network file system (nfs)"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(NetworkFileSystem.name(at: path) == nil)  // a temporary folder is local
        let table = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            40 22 0:35 / /mnt/share rw,relatime shared:2 - nfs4 server:/export rw,vers=4.2
            41 40 8:2 / /mnt/share/local rw shared:3 - ext4 /dev/sdb1 rw
            42 22 0:36 / /mnt/my\\040files rw - cifs //server/files rw
            """
        #expect(NetworkFileSystem.name(at: "/mnt/share/studies/journal.sqlite", mountTable: table) == "nfs4")
        #expect(NetworkFileSystem.name(at: "/mnt/share", mountTable: table) == "nfs4")
        #expect(NetworkFileSystem.name(at: "/mnt/share/local/journal.sqlite", mountTable: table) == nil)
        #expect(NetworkFileSystem.name(at: "/mnt/shared/journal.sqlite", mountTable: table) == nil)
        #expect(NetworkFileSystem.name(at: "/mnt/my files/journal.sqlite", mountTable: table) == "cifs")
        _ = try SQLiteJournal(path: path)
    }

    @Test func aNewerFormatIsRefusedByName() throws {
        let journal = InMemoryJournal()
        try journal.append([.createStudy(Self.header)])
        do throws(StudyError) {
            _ = try JournalEncoding.decode(#"{"format":2,"op":"create_study"}"#, index: 7, source: "j.sqlite")
            Issue.record("accepted a newer format")
        } catch {
            #expect(error.kind == .newerFormat)
            #expect(error.message.contains("j.sqlite entry 7"))
        }
        do throws(StudyError) {
            _ = try JournalEncoding.decode(#"{"format":1,"op":"report_epoch","trial":0,"epoch":1,"metrics":{"a":"x"}}"#, index: 3, source: "j.sqlite")
            Issue.record("accepted a bad metric")
        } catch {
            #expect(error.kind == .corruptJournal)
            #expect(error.message.contains("j.sqlite entry 3") && error.message.contains("metrics.a"))
        }
    }
}

/// Error messages collected from concurrent openers.
private final class LockedFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    func add(_ message: String) { lock.withLock { collected.append(message) } }
    var messages: [String] { lock.withLock { collected } }
}
