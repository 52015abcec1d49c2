import Foundation
import Search
import TestSupport
import Testing

/// Where the shared study lives in a test: an SQLite file (workers on one machine) or the
/// PostgreSQL test server (`TUNE_TEST_POSTGRES_URL`), whose password the processes get through
/// `PGPASSWORD`, never on their command line.
enum SharedStorage: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    struct Setup {
        /// The `--storage` argument.
        var argument: String
        /// Added to the environment of every tune process.
        var environment: [String: String]
        /// The password, which must appear in no log.
        var password: String?
        /// Opens the study's journal for the test's own checks.
        var open: () throws -> any JournalBackend
    }

    /// The storage of study `name` whose trial folders are in `folder`; nil when PostgreSQL is
    /// not available (skipped, or a recorded failure under CI).
    func setup(folder: URL, study name: String) throws -> Setup? {
        switch self {
        case .sqlite:
            let path = folder.appendingPathComponent("Searches/\(name)/journal.sqlite").path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            return Setup(argument: "sqlite:" + path, environment: [:], password: nil, open: { try SQLiteJournal(path: path) })
        case .postgres:
            guard let url = PostgresServer.url(), var components = URLComponents(string: url) else { return nil }
            let password = components.password
            components.password = nil
            guard let argument = components.string else { return nil }
            return Setup(argument: argument, environment: password.map { ["PGPASSWORD": $0] } ?? [:], password: password,
                         open: {
                             guard case .postgres(let location) = try StorageLocation(parsing: url) else { throw StudyError(.storage, "not PostgreSQL") }
                             return try PostgresJournal(location: location, study: name)
                         })
        }
    }
}

/// Several workers on one study, with the real binary: a coordinator and two `tune worker`
/// processes share an ASHA study, and one worker is killed mid-trial. Every check compares
/// against a single-process run of the same search and seed, which deterministic ASHA must
/// reproduce exactly.
@Suite("Workers sharing a study", .serialized)
struct SharedStudyTests {
    /// An ASHA search on synthetic traffic: 9 trials, rungs at 1, 3 and 9 epochs.
    static func writeSearch(in folder: URL, name: String, flows: Int = 1500) throws -> String {
        let searches = folder.appendingPathComponent("Searches")
        try FileManager.default.createDirectory(at: searches, withIntermediateDirectories: true)
        let document: [String: Any] = [
            "name": name, "method": "asha",
            "metric": ["name": "val_f1_macro", "goal": "maximize"],
            "budget": ["min_epochs": 1, "max_epochs": 9, "eta": 3],
            "data": ["format": "synthetic", "flows": flows],
            "parameters": [
                "variant": ["values": ["lstm", "bilstm"]],
                "lr": ["distribution": "log_uniform_values", "min": 3e-4, "max": 1e-2],
                "lstm_hidden": ["values": [16, 32]],
                "conv_channels": ["value": [16, 32]],
            ],
        ]
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            .write(to: searches.appendingPathComponent("\(name).json"))
        return "Searches/\(name).json"
    }

    /// Starts `tune` in `folder` with `environment` added, its stderr going to `log`.
    static func start(_ binary: URL, _ arguments: [String], in folder: URL, environment: [String: String] = [:],
                      log: URL) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        return process
    }

    /// What must not depend on who ran which trial: parameters, state and epochs of every trial.
    static func outcome(_ snapshot: StudySnapshot) -> [String] {
        snapshot.trials.map { "\($0.number) \($0.parametersKey) \($0.state.rawValue) \($0.epochsTrained)" }
    }

    /// The single-process reference: the same search and seed on one coordinator, with the BLAS
    /// threads per trial of the shared runs (`--parallel 1`): results are bit-identical only at
    /// the same thread count.
    static func reference(_ binary: URL, name: String, flows: Int = 1500) throws -> StudySnapshot {
        let folder = TuneBinary.temporaryFolder("shared-reference")
        let space = try writeSearch(in: folder, name: name, flows: flows)
        let result = try TuneBinary.run(binary, ["--space", space, "--trials", "9", "--parallel", "1"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let path = folder.appendingPathComponent("Searches/\(name)/journal.sqlite").path
        return try Study.load(journal: SQLiteJournal(path: path)).snapshot
    }

    /// Checks that every trial ran exactly once at a time and trained every epoch once: a claim
    /// that counted (not one that lost a race, which replay ignores) only ever follows the end of
    /// the previous one, and no epoch was reported twice except by a run that continued a killed
    /// one from its checkpoint (`allowRepeatsOf`).
    static func expectEachTrialRanOnce(_ study: Study, allowRepeatsOf requeued: Set<Int> = []) throws {
        var owner: [Int: String] = [:]
        var reported: Set<String> = []
        for (index, entry) in try study.journal.read(from: 0).enumerated() where study.snapshot.ignoredEntries[index] == nil {
            switch entry {
            case .claimTrial(let number, _, let worker):
                #expect(owner[number] == nil, "trial \(number) claimed by \(worker) while \(owner[number] ?? "") ran it")
                owner[number] = worker
            case .setState(let number, _, _, let worker):
                if worker == nil || worker == owner[number] { owner[number] = nil }
            case .reportEpoch(let number, let epoch, _, _):
                let key = "\(number)/\(epoch)"
                #expect(!reported.contains(key) || requeued.contains(number), "trial \(number) reported epoch \(epoch) twice")
                reported.insert(key)
            default:
                continue
            }
        }
    }

    @Test(arguments: SharedStorage.allCases)
    func threeWorkersOnOneStudyRunEveryTrialOnceAndMatchOneProcess(storage: SharedStorage) throws {
        guard let binary = TuneBinary.locate() else { return }
        let name = "shared-" + UUID().uuidString.prefix(8).lowercased()
        let folder = TuneBinary.temporaryFolder("shared-workers")
        guard let setup = try storage.setup(folder: folder, study: name) else { return }
        let reference = try Self.reference(binary, name: name)
        let space = try Self.writeSearch(in: folder, name: name)
        let coordinator = try Self.start(binary, ["--space", space, "--trials", "9", "--parallel", "1", "--storage", setup.argument],
                                         in: folder, environment: setup.environment, log: folder.appendingPathComponent("coordinator.log"))
        // Workers need the study and its budget, which the coordinator writes first.
        try waitForStudy(setup)
        var workers: [Process] = []
        for index in 0..<2 {
            workers.append(try Self.start(binary, ["worker", "--storage", setup.argument, "--study", name, "--parallel", "1"],
                                          in: folder, environment: setup.environment,
                                          log: folder.appendingPathComponent("worker-\(index).log")))
        }
        for process in [coordinator] + workers {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "see the logs in \(folder.path)")
        }
        let study = try Study.load(journal: setup.open())
        let entries = try study.journal.read(from: 0)
        #expect(Self.outcome(study.snapshot) == Self.outcome(reference))
        try Self.expectEachTrialRanOnce(study)
        let claimers = Set(entries.compactMap { entry -> String? in
            if case .claimTrial(_, _, let worker) = entry { return worker }
            return nil
        })
        #expect(claimers.count >= 2, "the trials were not shared: \(claimers)")
        try Self.expectNoPassword(setup, in: folder)
    }

    /// kill -9 of a worker while it trains: after the heartbeat timeout another worker re-queues
    /// its trial, which continues from its checkpoint, and the study ends as one process's would.
    @Test(arguments: SharedStorage.allCases)
    func aKilledWorkersTrialIsRequeuedAfterTheHeartbeatTimeoutAndFinishedElsewhere(storage: SharedStorage) throws {
        guard let binary = TuneBinary.locate() else { return }
        let name = "killed-" + UUID().uuidString.prefix(8).lowercased()
        let folder = TuneBinary.temporaryFolder("shared-killed")
        guard let setup = try storage.setup(folder: folder, study: name) else { return }
        // Epochs long enough (about a second) that the kill lands inside one.
        let reference = try Self.reference(binary, name: name, flows: 6000)
        let space = try Self.writeSearch(in: folder, name: name, flows: 6000)
        let heartbeat = ["--heartbeat-interval", "0.5", "--heartbeat-timeout", "4"]
        let coordinator = try Self.start(binary, ["--space", space, "--trials", "9", "--parallel", "1", "--storage", setup.argument] + heartbeat,
                                         in: folder, environment: setup.environment, log: folder.appendingPathComponent("coordinator.log"))
        try waitForStudy(setup)
        let victim = try Self.start(binary, ["worker", "--storage", setup.argument, "--study", name, "--parallel", "1"] + heartbeat,
                                    in: folder, environment: setup.environment, log: folder.appendingPathComponent("victim.log"))
        // Kill it while it runs a trial.
        var victimName = ""
        var claimed: Int?
        for _ in 0..<600 where claimed == nil {
            usleep(25_000)
            let snapshot = (try? Study.load(journal: setup.open()))?.snapshot
            let trial = snapshot?.trials.first { $0.state == .running && Self.isProcess(victim.processIdentifier, $0.worker) }
            claimed = trial?.number
            victimName = trial?.worker ?? ""
        }
        #expect(claimed != nil, "the worker never ran a trial")
        // The survivor starts before the kill, so it learns of the death by the missing heartbeats
        // (a worker starting later would see at once that the process is gone from this machine).
        let survivor = try Self.start(binary, ["worker", "--storage", setup.argument, "--study", name, "--parallel", "1"] + heartbeat,
                                      in: folder, environment: setup.environment, log: folder.appendingPathComponent("survivor.log"))
        for _ in 0..<400 {
            let heartbeats = (try? Study.load(journal: setup.open()))?.snapshot.heartbeats ?? [:]
            if heartbeats.keys.contains(where: { Self.isProcess(survivor.processIdentifier, $0) }) { break }
            usleep(25_000)
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        for process in [coordinator, survivor] {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "see the logs in \(folder.path)")
        }
        let study = try Study.load(journal: setup.open())
        let entries = try study.journal.read(from: 0)
        #expect(Self.outcome(study.snapshot) == Self.outcome(reference))
        let requeues = entries.compactMap { entry -> Int? in
            if case .setState(let number, .waiting, let reason?, victimName) = entry, reason.contains("heartbeats") { return number }
            return nil
        }
        #expect(!requeues.isEmpty, "no trial of the killed worker was re-queued for its missing heartbeats")
        try Self.expectEachTrialRanOnce(study, allowRepeatsOf: Set(requeues))
        try Self.expectNoPassword(setup, in: folder)
    }

    /// True when the journal's worker `name` is process `pid` of this machine.
    static func isProcess(_ pid: Int32, _ name: String?) -> Bool {
        guard let worker = name.flatMap(WorkerName.init) else { return false }
        return worker.host == ProcessInfo.processInfo.hostName && worker.processIdentifier == pid
    }

    /// A worker restarted in place, the way a container with `restartPolicy: OnFailure` restarts
    /// it: the same host name and, as the first process of a new pid namespace, PID 1 again. Its
    /// predecessor's trial must go back to the queue and the study must finish; with names of
    /// HOST:PID alone the new worker's heartbeat kept the dead one's alive and the study hung.
    @Test func aWorkerRestartedUnderTheSameHostAndPidDoesNotStrandItsPredecessorsTrial() throws {
        guard let binary = TuneBinary.locate() else { return }
        let unshare = URL(fileURLWithPath: "/usr/bin/unshare")
        guard (try? TuneBinary.run(unshare, ["--pid", "--fork", "--kill-child", "true"]))?.status == 0 else {
            print("skipped: no new pid namespaces here (/usr/bin/unshare --pid needs root)")
            return
        }
        let name = "restarted-" + UUID().uuidString.prefix(8).lowercased()
        let folder = TuneBinary.temporaryFolder("shared-restarted")
        guard let setup = try SharedStorage.sqlite.setup(folder: folder, study: name) else { return }
        let reference = try Self.reference(binary, name: name, flows: 6000)
        let space = try Self.writeSearch(in: folder, name: name, flows: 6000)
        let heartbeat = ["--heartbeat-interval", "0.5", "--heartbeat-timeout", "4"]
        let coordinator = try Self.start(binary, ["--space", space, "--trials", "9", "--parallel", "1", "--storage", setup.argument] + heartbeat,
                                         in: folder, log: folder.appendingPathComponent("coordinator.log"))
        try waitForStudy(setup)
        let workerArguments = ["--pid", "--fork", "--kill-child", binary.path, "worker", "--storage", setup.argument,
                               "--study", name, "--parallel", "1"] + heartbeat
        let first = try Self.start(unshare, workerArguments, in: folder, log: folder.appendingPathComponent("first.log"))
        var held: String?
        for _ in 0..<600 where held == nil {
            usleep(25_000)
            let snapshot = (try? Study.load(journal: setup.open()))?.snapshot
            held = snapshot?.trials.first { $0.state == .running && WorkerName($0.worker ?? "")?.processIdentifier == 1 }?.worker
        }
        #expect(held != nil, "the worker in its own pid namespace never ran a trial")
        kill(first.processIdentifier, SIGKILL)  // unshare --kill-child takes the worker with it
        first.waitUntilExit()
        let second = try Self.start(unshare, workerArguments, in: folder, log: folder.appendingPathComponent("second.log"))
        // On the old names the study never finishes: give it a generous bound, then stop it.
        let deadline = Date().addingTimeInterval(240)
        while coordinator.isRunning && Date() < deadline { usleep(100_000) }
        let finished = !coordinator.isRunning
        for process in [coordinator, second] where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        second.waitUntilExit()
        #expect(finished, "the study hung after the worker restarted; see the logs in \(folder.path)")
        guard finished else { return }
        #expect(coordinator.terminationStatus == 0, "see the logs in \(folder.path)")
        let study = try Study.load(journal: setup.open())
        #expect(Self.outcome(study.snapshot) == Self.outcome(reference))
        let requeued = try study.journal.read(from: 0).contains { entry in
            if case .setState(_, .waiting, _, let worker?) = entry { return worker == held }
            return false
        }
        #expect(requeued, "the first worker's trial was never put back in the queue")
    }

    /// The password appears in no log of the coordinator or the workers.
    static func expectNoPassword(_ setup: SharedStorage.Setup, in folder: URL) throws {
        guard let password = setup.password, !password.isEmpty else { return }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".log") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains(password), "\(file) shows the database password")
        }
    }

    func waitForStudy(_ setup: SharedStorage.Setup) throws {
        for _ in 0..<200 {
            if let journal = try? setup.open(), let study = try? Study.load(journal: journal), study.snapshot.trialBudget != nil { return }
            usleep(50_000)
        }
        Issue.record("the coordinator did not create the study in 10 s")
    }
}
