import Foundation
import Search
import TestSupport
import Testing

/// The search coordinator under faults, with the real binary: kill -9 of the coordinator at
/// several points, kill -9 of a trial, and bad invocations against an existing study.
@Suite("tune --space under faults", .serialized)
struct SearchFaultTests {
    /// A small ASHA search on synthetic traffic: 6 trials, rungs at 1, 3 and 9 epochs.
    func writeSearch(in folder: URL, name: String = "faults", overriding extra: [String: Any] = [:]) throws -> String {
        let searches = folder.appendingPathComponent("Searches")
        try FileManager.default.createDirectory(at: searches, withIntermediateDirectories: true)
        var document: [String: Any] = [
            "name": name, "method": "asha",
            "metric": ["name": "val_f1_macro", "goal": "maximize"],
            "budget": ["min_epochs": 1, "max_epochs": 9, "eta": 3],
            "data": ["format": "synthetic", "flows": 1200],
            "parameters": [
                "variant": ["values": ["lstm", "bilstm"]],
                "lr": ["distribution": "log_uniform_values", "min": 3e-4, "max": 1e-2],
                "lstm_hidden": ["values": [16, 32]],
                "conv_channels": ["value": [16, 32]],
            ],
        ]
        for (key, value) in extra { document[key] = value }
        let url = searches.appendingPathComponent("\(name).json")
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]).write(to: url)
        return "Searches/\(name).json"
    }

    /// The leaderboard and counts of `tune status` (everything but timing-free text is compared).
    func status(_ binary: URL, _ folder: URL, _ name: String = "faults") throws -> String {
        let result = try TuneBinary.run(binary, ["status", name], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// Starts `tune` in `folder` without waiting for it; its standard error goes to `errorLog`
    /// when given, else nowhere.
    func start(_ binary: URL, _ arguments: [String], in folder: URL, errorLog: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        if let errorLog {
            _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errorLog)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Starts the coordinator and kills it with SIGKILL after `seconds`.
    func killCoordinator(_ binary: URL, _ arguments: [String], in folder: URL, after seconds: Double) throws {
        let process = try start(binary, arguments, in: folder)
        usleep(useconds_t(seconds * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func killedCoordinatorResumesToTheSameLeaderboard() throws {
        guard let binary = TuneBinary.locate() else { return }
        let arguments = ["--space", "Searches/faults.json", "--trials", "6", "--parallel", "2"]

        // Enough data that each killed run is cut off mid-search, also on an idle machine.
        let larger: [String: Any] = ["data": ["format": "synthetic", "flows": 6000]]
        let straight = TuneBinary.temporaryFolder("search-straight")
        _ = try writeSearch(in: straight, overriding: larger)
        let uninterrupted = try TuneBinary.run(binary, arguments, in: straight)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let expected = try status(binary, straight)
        #expect(expected.contains("6 of 6 trials created"))

        let killed = TuneBinary.temporaryFolder("search-killed")
        _ = try writeSearch(in: killed, overriding: larger)
        // Before the first trial, then three more cuts a little further on each time (inside the
        // first rung, between rungs, inside a promoted trial's epochs).
        for delay in [0.05, 0.7, 1.4, 2.1] {
            try killCoordinator(binary, arguments, in: killed, after: delay)
        }
        let resumed = try TuneBinary.run(binary, arguments, in: killed)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let final = try status(binary, killed)
        #expect(final == expected)

        // No epoch trained twice: each trial's epoch log has one line per epoch it reports.
        for trial in 0..<6 {
            let log = killed.appendingPathComponent("Searches/faults/trials/\(trial)/run/epochs.jsonl")
            let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            let epochs = lines.compactMap { line -> Int? in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["epoch"] as? Int
            }
            #expect(epochs == Array(1...epochs.count), "trial \(trial): \(epochs)")
        }
    }

    @Test func ctrlCStopsLaunchingAndTheRerunFinishesTheSameSearch() throws {
        guard let binary = TuneBinary.locate() else { return }
        let arguments = ["--space", "Searches/faults.json", "--trials", "6", "--parallel", "2"]
        // More data than the other tests, so the search is still running when Ctrl-C comes.
        let larger: [String: Any] = ["data": ["format": "synthetic", "flows": 6000]]
        let straight = TuneBinary.temporaryFolder("search-int-straight")
        _ = try writeSearch(in: straight, overriding: larger)
        #expect(try TuneBinary.run(binary, arguments, in: straight).status == 0)

        let folder = TuneBinary.temporaryFolder("search-int")
        _ = try writeSearch(in: folder, overriding: larger)
        let process = try start(binary, arguments, in: folder)
        usleep(1_000_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 4)  // interrupted, resumable
        let resumed = try TuneBinary.run(binary, arguments, in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try status(binary, folder) == status(binary, straight))
    }

    /// The study of `name` in `folder`, read from its journal.
    func journal(_ folder: URL, _ name: String) throws -> StudySnapshot {
        let path = folder.appendingPathComponent("Searches/\(name)/journal.sqlite").path
        return try Study.load(journal: SQLiteJournal(path: path)).snapshot
    }

    /// Ctrl-C at a terminal signals the foreground process group, which holds the coordinator but
    /// not its trials (each trial process has a group of its own): the first Ctrl-C must still make
    /// every trial stop at its next epoch with a checkpoint, back in the queue.
    @Test func ctrlCAtTheTerminalReachesTheTrials() throws {
        guard let binary = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("search-ctrl-c")
        let path = try writeSearch(in: folder, name: "ctrlc", overriding: [
            "method": "random", "data": ["format": "synthetic", "flows": 6000],
            "budget": ["min_epochs": 60, "max_epochs": 60, "eta": 3],  // long enough for a loaded machine
        ])
        let coordinator = try start(binary, ["--space", path, "--trials", "2", "--parallel", "2"], in: folder)
        // Foundation starts a child as the leader of its own process group, as a shell does a job.
        #expect(getpgid(coordinator.processIdentifier) == coordinator.processIdentifier)
        let log = folder.appendingPathComponent("Searches/ctrlc/trials/0/run/epochs.jsonl")
        for _ in 0..<600 {
            if let text = try? String(contentsOf: log, encoding: .utf8), !text.isEmpty { break }
            usleep(50_000)
        }
        kill(-coordinator.processIdentifier, SIGINT)  // the whole foreground group, as the terminal does
        coordinator.waitUntilExit()
        #expect(coordinator.terminationStatus == 4)
        let snapshot = try journal(folder, "ctrlc")
        for trial in snapshot.trials {
            #expect(trial.state == .waiting, "trial \(trial.number): \(trial.state.rawValue) \(trial.reason ?? "")")
            #expect(trial.epochsTrained < 60, "trial \(trial.number) trained on to \(trial.epochsTrained) epochs")
        }
        // The checkpoint is there: the rerun continues each trial from it.
        let resumed = try TuneBinary.run(binary, ["--space", path, "--trials", "2", "--parallel", "2"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("trial 0: continue from epoch"), "\(resumed.stderr)")

        // Both trials validated on the same samples, recorded in their epoch logs, their best
        // models and, once, in the report.
        var fingerprints: Set<String> = []
        for trial in 0..<2 {
            let run = folder.appendingPathComponent("Searches/ctrlc/trials/\(trial)/run")
            let lines = try String(contentsOf: run.appendingPathComponent("epochs.jsonl"), encoding: .utf8).split(separator: "\n")
            for line in lines {
                let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                fingerprints.insert(try #require(entry["validation_fingerprint"] as? String))
            }
            let model = try Data(contentsOf: run.appendingPathComponent("best.safetensors"))
            let headerLength = model.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let header = try #require(try JSONSerialization.jsonObject(with: model.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
            let metadata = try #require(header["__metadata__"] as? [String: String])
            fingerprints.insert(try #require(metadata["validation_fingerprint"]))
        }
        #expect(fingerprints.count == 1, "\(fingerprints)")
        let report = try String(contentsOf: folder.appendingPathComponent("Reports/ctrlc/README.md"), encoding: .utf8)
        #expect(report.contains("| validation samples | fingerprint `\(fingerprints.first ?? "")`, the same for every trial |"), "\(report)")
    }

    /// Two coordinators started at the same moment on a study that does not exist yet: both find
    /// the journal empty and create the study; it stays readable, and together they finish the
    /// search with the leaderboard one coordinator gives.
    @Test func twoCoordinatorsStartingTheSameNewStudyAtOnce() throws {
        guard let binary = TuneBinary.locate() else { return }
        let arguments = ["--space", "Searches/faults.json", "--trials", "4", "--parallel", "1"]
        let straight = TuneBinary.temporaryFolder("search-twice-straight")
        _ = try writeSearch(in: straight)
        #expect(try TuneBinary.run(binary, arguments, in: straight).status == 0)

        let folder = TuneBinary.temporaryFolder("search-twice")
        _ = try writeSearch(in: folder)
        let logs = [folder.appendingPathComponent("first.log"), folder.appendingPathComponent("second.log")]
        let first = try start(binary, arguments, in: folder, errorLog: logs[0])
        let second = try start(binary, arguments, in: folder, errorLog: logs[1])
        first.waitUntilExit()
        second.waitUntilExit()
        let lastLines = logs.map { (try? String(contentsOf: $0, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: " / ") ?? "" }
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0,
                "exit statuses \(first.terminationStatus) and \(second.terminationStatus): \(lastLines)")
        #expect(try status(binary, folder) == status(binary, straight))
    }

    @Test func aKilledTrialFailsWithItsReasonAndTheSearchFinishes() throws {
        guard let binary = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("search-trial-kill")
        // More data than the other tests and three epochs in the first rung, so trial 0 is still
        // training when it is killed even on a fast, idle machine.
        let path = try writeSearch(in: folder, name: "trialkill", overriding: [
            "data": ["format": "synthetic", "flows": 8000],
            "budget": ["min_epochs": 3, "max_epochs": 9, "eta": 3],
        ])
        let coordinator = try start(binary, ["--space", path, "--trials", "4", "--parallel", "1"], in: folder)
        // Kill the first trial process as soon as it exists.
        var killedOne = false
        for _ in 0..<200 where !killedOne {
            usleep(50_000)
            let pgrep = try TuneBinary.run(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", "trialkill/trials/0/run.json"])
            if let pid = Int32(pgrep.stdout.split(separator: "\n").first ?? "") {
                kill(pid, SIGKILL)
                killedOne = true
            }
        }
        coordinator.waitUntilExit()
        #expect(killedOne)
        #expect(coordinator.terminationStatus == 0)
        let text = try status(binary, folder, "trialkill")
        #expect(text.contains("4 of 4 trials created"))
        #expect(text.contains("trial 0: killed by signal 9"), "\(text)")
    }

    @Test func badInvocationsNeverDamageAnExistingStudy() throws {
        guard let binary = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("search-bad")
        let path = try writeSearch(in: folder, name: "guarded")
        let first = try TuneBinary.run(binary, ["--space", path, "--trials", "2", "--parallel", "2"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try status(binary, folder, "guarded")

        // A changed search file, another seed, a broken file: refused, journal untouched.
        _ = try writeSearch(in: folder, name: "guarded", overriding: ["method": "random"])
        let changed = try TuneBinary.run(binary, ["--space", path, "--trials", "4"], in: folder)
        #expect(changed.status == 2 && changed.stderr.contains("has changed") && changed.stderr.contains("--fresh"), "\(changed.stderr)")
        _ = try writeSearch(in: folder, name: "guarded")
        let reseeded = try TuneBinary.run(binary, ["--space", path, "--trials", "4", "--seed", "5"], in: folder)
        #expect(reseeded.status == 2 && reseeded.stderr.contains("seed 0"), "\(reseeded.stderr)")
        let broken = folder.appendingPathComponent(path)
        try "{ \"name\": \"guarded\", ".write(to: broken, atomically: true, encoding: .utf8)
        let unreadable = try TuneBinary.run(binary, ["--space", path], in: folder)
        #expect(unreadable.status == 2 && unreadable.stderr.contains("guarded.json line 1"), "\(unreadable.stderr)")
        // The journal's content (SQLite may touch the file's bytes on open) is unchanged.
        #expect(try status(binary, folder, "guarded") == before)
    }

    @Test(arguments: [
        (#"{"name": "s", "metric": {"name": "val_f1_macro", "goal": "maximize"}, "budget": {"max_epochs": 2}, "data": {"format": "synthetic"}, "parameters": {"learning_rate": {"values": [0.1]}}}"#,
         "parameters.learning_rate"),
        (#"{"name": "s", "metric": {"name": "val_f2", "goal": "maximize"}, "budget": {"max_epochs": 2}, "data": {"format": "synthetic"}, "parameters": {"lr": {"values": [0.1]}}}"#,
         "metric.name"),
        (#"{"name": "s", "metric": {"name": "val_f1_macro", "goal": "maximize"}, "budget": {"max_epochs": 2}, "data": {"format": "synthetic"}, "parameters": {"dropout": {"distribution": "uniform", "min": 0.2, "max": 1.5}}}"#,
         "parameters.dropout"),
        (#"{"name": "s", "metric": {"name": "val_f1_macro", "goal": "maximize"}, "budget": {"max_epochs": 2}, "data": {"format": "synthetic"}, "parameters": {"lstm_layers": {"values": [0, 1]}}}"#,
         "parameters.lstm_layers"),
        (#"{"name": "s", "metric": {"name": "val_f1_macro", "goal": "maximize"}, "budget": {"max_epochs": 2}, "data": {"format": "synthetic"}, "parameters": {"variant": {"values": ["gru"]}}}"#,
         "parameters.variant"),
    ])
    func searchFilesTheTrainerWouldRefuseAreRejectedBeforeAnyTrial(text: String, field: String) throws {
        guard let binary = TuneBinary.locate() else { return }
        let folder = TuneBinary.temporaryFolder("search-refused")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Searches"), withIntermediateDirectories: true)
        try text.write(to: folder.appendingPathComponent("Searches/s.json"), atomically: true, encoding: .utf8)
        let result = try TuneBinary.run(binary, ["--space", "Searches/s.json", "--trials", "2"], in: folder)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(field), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Searches/s").path))
    }
}
