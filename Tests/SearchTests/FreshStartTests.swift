import Foundation
import Testing
import TestSupport
@testable import Search

/// `--fresh` with the journal outside the study folder: the old study is kept under
/// NAME.old-TIMESTAMP (an SQLite file moved, a PostgreSQL study renamed) and stays readable, the
/// name starts anew, and a refusal comes before anything moves.
@Suite("Fresh start")
struct FreshStartTests {
    static let start = FreshStart(date: Date(timeIntervalSince1970: 1_700_000_000))

    /// The search a study was started with, and a changed one (another fingerprint).
    static func definitions() throws -> (old: SearchDefinition, changed: SearchDefinition) {
        (try SearchFixtures.definition(SearchFixtures.space(method: "random", maxEpochs: 9)),
         try SearchFixtures.definition(SearchFixtures.space(method: "random", maxEpochs: 27)))
    }

    /// A study folder `Searches/toy` holding a trial folder, in a temporary folder of its own.
    static func studyFolder() throws -> (root: URL, folder: URL) {
        let root = try PostgresTesting.temporaryDirectory()
        let folder = root.appendingPathComponent("Searches/toy")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("trial-0000"), withIntermediateDirectories: true)
        return (root, folder)
    }

    /// Starts a study with `definition` in `journal` and adds one trial.
    static func startStudy(in journal: any JournalBackend, definition: SearchDefinition) throws -> StudySnapshot {
        var study = try Study.open(journal: journal, definition: definition, seed: 1)
        try study.append([.createTrial(number: 0, parameters: ["lr": .number(0.01)])])
        return study.snapshot
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    @Test func anSQLiteJournalElsewhereMovesAsideWithTheFolder() throws {
        let (root, folder) = try Self.studyFolder()
        let path = root.appendingPathComponent("journals/study.db").path
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("journals").path, withIntermediateDirectories: true)
        let (old, changed) = try Self.definitions()
        let before = try Self.startStudy(in: SQLiteJournal(path: path), definition: old)

        let lines = try Self.start.moveAside(study: "toy", directory: folder, storage: .sqlite(path: path))
        let oldFolder = root.appendingPathComponent("Searches/toy\(Self.start.suffix)")
        #expect(lines.count == 2 && lines[1].contains(path + Self.start.suffix), "\(lines)")
        #expect(!Self.exists(folder) && Self.exists(oldFolder.appendingPathComponent("trial-0000")))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try Study.load(journal: SQLiteJournal(path: path + Self.start.suffix)).snapshot == before)
        // The changed search file starts a new study instead of being refused.
        let fresh = try Study.open(journal: SQLiteJournal(path: path), definition: changed, seed: 1)
        #expect(fresh.snapshot.header.fingerprint == changed.fingerprint && fresh.snapshot.trials.isEmpty)
    }

    @Test func anSQLiteJournalInsideTheFolderMovesWithIt() throws {
        let (_, folder) = try Self.studyFolder()
        let path = folder.appendingPathComponent("journal.sqlite").path
        _ = try Self.startStudy(in: SQLiteJournal(path: path), definition: Self.definitions().old)
        let lines = try Self.start.moveAside(study: "toy", directory: folder, storage: .sqlite(path: path))
        #expect(lines.count == 1)
        let moved = folder.deletingLastPathComponent().appendingPathComponent("toy\(Self.start.suffix)/journal.sqlite")
        #expect(try Study.load(journal: SQLiteJournal(path: moved.path)).snapshot.trials.count == 1)
    }

    /// The journal and its write-ahead log, index and rollback journal move together.
    @Test func sqliteCompanionFilesMoveTogether() throws {
        let root = try PostgresTesting.temporaryDirectory()
        let path = root.appendingPathComponent("j.db").path
        for suffix in ["", "-wal", "-shm"] { try Data(suffix.utf8).write(to: URL(fileURLWithPath: path + suffix)) }
        #expect(try SQLiteJournal.moveAside(path: path, to: path + ".old"))
        for suffix in ["", "-wal", "-shm"] {
            #expect(!FileManager.default.fileExists(atPath: path + suffix))
            #expect(FileManager.default.contents(atPath: path + ".old" + suffix) == Data(suffix.utf8))
        }
        #expect(try !SQLiteJournal.moveAside(path: path, to: path + ".again"))
    }

    /// A taken name (the old journal's, or the old folder's) refuses with nothing moved.
    @Test func aTakenNameRefusesBeforeAnythingMoves() throws {
        let (root, folder) = try Self.studyFolder()
        let path = root.appendingPathComponent("study.db").path
        _ = try Self.startStudy(in: SQLiteJournal(path: path), definition: Self.definitions().old)
        try Data().write(to: URL(fileURLWithPath: path + Self.start.suffix))
        #expect(throws: StudyError.self) { try Self.start.moveAside(study: "toy", directory: folder, storage: .sqlite(path: path)) }
        #expect(Self.exists(folder) && FileManager.default.fileExists(atPath: path))

        try FileManager.default.removeItem(atPath: path + Self.start.suffix)
        let oldFolder = root.appendingPathComponent("Searches/toy\(Self.start.suffix)")
        try FileManager.default.createDirectory(at: oldFolder, withIntermediateDirectories: true)
        #expect(throws: StudyError.self) { try Self.start.moveAside(study: "toy", directory: folder, storage: .sqlite(path: path)) }
        #expect(Self.exists(folder.appendingPathComponent("trial-0000")) && FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + Self.start.suffix))
    }

    @Test(.enabled(if: PostgresServer.isRequiredOrAvailable, "no PostgreSQL test server"))
    func aPostgresStudyIsRenamedAndItsNameStartsAnew() throws {
        guard let location = try PostgresTesting.location() else { return }
        let (root, folder) = try Self.studyFolder()
        let study = PostgresServer.uniqueStudy("fresh")
        let (old, changed) = try Self.definitions()
        let before = try Self.startStudy(in: PostgresJournal(location: location, study: study), definition: old)

        let lines = try Self.start.moveAside(study: study, directory: folder, storage: .postgres(location))
        let newName = study + Self.start.suffix
        #expect(lines.count == 2 && lines[1].contains("\"\(newName)\"") && !lines[1].contains(location.password?.revealed ?? "\u{0}"), "\(lines)")
        #expect(Self.exists(root.appendingPathComponent("Searches/toy\(Self.start.suffix)/trial-0000")))
        #expect(try PostgresJournal(location: location, study: study).read(from: 0).isEmpty)
        #expect(try Study.load(journal: PostgresJournal(location: location, study: newName)).snapshot == before)
        let fresh = try Study.open(journal: PostgresJournal(location: location, study: study), definition: changed, seed: 1)
        #expect(fresh.snapshot.header.fingerprint == changed.fingerprint && fresh.snapshot.trials.isEmpty)
    }

    @Test(.enabled(if: PostgresServer.isRequiredOrAvailable, "no PostgreSQL test server"))
    func aTakenPostgresNameRefusesBeforeAnythingMoves() throws {
        guard let location = try PostgresTesting.location() else { return }
        let (_, folder) = try Self.studyFolder()
        let study = PostgresServer.uniqueStudy("fresh-taken")
        let before = try Self.startStudy(in: PostgresJournal(location: location, study: study), definition: Self.definitions().old)
        let squatter = try PostgresJournal(location: location, study: study + Self.start.suffix)
        try squatter.append([.heartbeat(worker: "squatter", time: 1)])

        #expect(throws: StudyError.self) { try Self.start.moveAside(study: study, directory: folder, storage: .postgres(location)) }
        #expect(Self.exists(folder.appendingPathComponent("trial-0000")))
        #expect(try Study.load(journal: PostgresJournal(location: location, study: study)).snapshot == before)
        #expect(try squatter.read(from: 0) == [.heartbeat(worker: "squatter", time: 1)])
    }

    /// A database that does not answer refuses before the folder moves.
    @Test func anUnreachableDatabaseRefusesBeforeAnythingMoves() throws {
        let (_, folder) = try Self.studyFolder()
        let location = PostgresLocation(host: "127.0.0.1", port: PostgresTesting.unusedPort(), user: "u", database: "d",
                                        sslMode: .disable, connectTimeout: 2)
        #expect(throws: StudyError.self) { try Self.start.moveAside(study: "toy", directory: folder, storage: .postgres(location)) }
        #expect(Self.exists(folder.appendingPathComponent("trial-0000")))
    }
}
