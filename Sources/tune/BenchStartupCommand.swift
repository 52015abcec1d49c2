import ArgumentParser
import Foundation
import FileFormats

/// `tune bench startup --config RUN.json`: how long a trial process takes from exec to its first
/// training step, data loading included. Runs `tune train --exit-before-first-step` (which exits
/// right before that step) several times and prints one JSON line of wall times.
struct StartupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Time a training run from exec to its first training step (data loading included).",
        discussion: """
            Each run is `tune train --config RUN.json --output TMP --exit-before-first-step` in a \
            fresh process; the time is from just before the process is spawned to its exit, so it \
            also counts spawning and exiting. Prints one JSON line: the run file, "runs_ms", and \
            their "min_ms", "median_ms" and "max_ms".
            """)

    @Option(help: "The run file (JSON) to start.") var config: String
    @Option(help: "Timed runs (after one untimed run that warms the file cache).") var runs = 10
    @Option(help: "BLAS threads of the run (default: the run file's).") var threads: Int?

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1, got \(runs)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tune-startup-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let errorsPath = folder.appendingPathComponent("stderr.txt").path
        var arguments = ["tune", "train", "--config", config, "--output", folder.appendingPathComponent("run").path,
                         "--exit-before-first-step"]
        if let threads { arguments += ["--threads", String(threads)] }
        var milliseconds: [Double] = []
        for run in 0...runs {
            let start = ContinuousClock.now
            let status = try Self.spawnAndWait(executable: executable, arguments: arguments, stderrPath: errorsPath)
            let elapsed = ContinuousClock.now - start
            guard status == 0 else {
                let text = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
                throw ValidationError("tune train --config \(config) failed (exit status \(status)): "
                                      + text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if run > 0 {
                milliseconds.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
        }
        let sorted = milliseconds.sorted()
        let median = (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        let round = { (value: Double) in (value * 10).rounded() / 10 }
        let line: [String: JSONValue] = [
            "config": .string(config),
            "runs_ms": .array(milliseconds.map { .number(round($0)) }),
            "min_ms": .number(round(sorted[0])),
            "median_ms": .number(round(median)),
            "max_ms": .number(round(sorted[sorted.count - 1])),
        ]
        print(JSONValue.object(line).canonicalText)
    }

    /// Runs `executable` with stdout to /dev/null and stderr to `stderrPath`, and returns its exit
    /// status. posix_spawn and waitpid directly: Foundation's `Process` notices an exit only at
    /// its 50 ms polling ticks, which would swamp what is measured here.
    static func spawnAndWait(executable: String, arguments: [String], stderrPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
        guard spawned == 0 else {
            throw ValidationError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ValidationError("waiting for \(executable): \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
