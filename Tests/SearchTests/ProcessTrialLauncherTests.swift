import FileFormats
import Foundation
import Search
import Testing
import TrialProtocol

/// The process launcher's thread balancing, with a stand-in for `tune train` that lives until the
/// test releases it: a trial left running alone is asked to use every core, and gives them back
/// when another starts.
@Suite("Process trial launcher")
struct ProcessTrialLauncherTests {
    @Test func aTrialLeftAloneGetsEveryCoreUntilAnotherStarts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-launcher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Stands in for `tune train ... --trial N`: waits until the file release-N exists.
        let script = directory.appendingPathComponent("fake-tune")
        try writeExecutable(script, """
            #!/bin/sh
            while [ $# -gt 0 ]; do [ "$1" = --trial ] && trial=$2; shift; done
            while [ ! -e '\(directory.path)/release-'$trial ]; do sleep 0.01; done
            """)
        let folder = StudyFolder(directory: directory.appendingPathComponent("study"))
        let launcher = try ProcessTrialLauncher(executable: script, folder: folder, data: nil, metric: "val_loss",
                                                threadsPerTrial: 1, threadsAlone: 2, timeLimit: nil)
        // Every event is kept: an exit read while waiting for something else is not lost.
        var outcomes: [Int: TrialOutcome] = [:]
        func pump() {
            if case .exited(let trial, _, let outcome)? = launcher.nextEvent(timeout: 0.02) { outcomes[trial] = outcome }
        }
        func start(_ number: Int) throws {
            _ = try launcher.launch(TrialLaunch(trialNumber: number, start: .fresh(parameters: ["lr": .number(0.01)], seed: number),
                                                targetEpochs: 1))
        }
        func release(_ number: Int) throws {
            try #require(outcomes[number] == nil, "trial \(number) ended early: \(outcomes[number]?.stderrTail ?? "")")
            try Data().write(to: directory.appendingPathComponent("release-\(number)"))
            for _ in 0..<1000 where outcomes[number] == nil { pump() }
            let outcome = try #require(outcomes[number], "trial \(number) did not exit")
            #expect(outcome.succeeded, "trial \(number): \(outcome.stderrTail)")
        }
        func request(_ number: Int) -> Int? { ThreadRequest.read(folder.threadRequest(number)) }

        // A stale request from an earlier run of trial 1 is removed when trial 1 starts.
        try FileManager.default.createDirectory(at: folder.trialDirectory(1), withIntermediateDirectories: true)
        try ThreadRequest.write(2, to: folder.threadRequest(1))
        try start(0)
        try start(1)
        pump()
        #expect(request(0) == nil && request(1) == nil)  // two running: the run files' threads

        try release(0)
        pump()
        #expect(request(1) == 2)  // alone

        try start(2)
        pump()
        #expect(request(1) == 1 && request(2) == nil)  // two again

        try release(1)
        pump()
        #expect(request(2) == 2)
        try release(2)
    }

    /// Writes an executable script through a close-on-exec descriptor: a child that another test
    /// forks meanwhile must not inherit it open for writing, or exec fails with ETXTBSY.
    private func writeExecutable(_ url: URL, _ text: String) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        try #require(descriptor >= 0, "cannot create \(url.path)")
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        try #require(write(descriptor, bytes, bytes.count) == bytes.count, "cannot write \(url.path)")
    }

    /// Where threads could change a result (OpenBLAS: threadsAlone is threadsPerTrial), nothing
    /// is ever requested.
    @Test func noRequestWhereThreadsCouldChangeAResult() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tune-launcher-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = StudyFolder(directory: directory)
        let launcher = try ProcessTrialLauncher(executable: URL(fileURLWithPath: "/bin/true"), folder: folder, data: nil,
                                                metric: "val_loss", threadsPerTrial: 1, threadsAlone: 1, timeLimit: nil)
        _ = try launcher.launch(TrialLaunch(trialNumber: 0, start: .fresh(parameters: [:], seed: 0), targetEpochs: 1))
        var exited = false
        for _ in 0..<500 where !exited {
            if case .exited? = launcher.nextEvent(timeout: 0.02) { exited = true }
        }
        #expect(exited)
        #expect(!FileManager.default.fileExists(atPath: folder.threadRequest(0).path))
    }
}
