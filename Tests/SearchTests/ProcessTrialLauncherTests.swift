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
        try """
            #!/bin/sh
            while [ $# -gt 0 ]; do [ "$1" = --trial ] && trial=$2; shift; done
            while [ ! -e '\(directory.path)/release-'$trial ]; do sleep 0.01; done
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let folder = StudyFolder(directory: directory.appendingPathComponent("study"))
        let launcher = try ProcessTrialLauncher(executable: script, folder: folder, data: nil, metric: "val_loss",
                                                threadsPerTrial: 1, threadsAlone: 2, timeLimit: nil)
        func start(_ number: Int) throws {
            _ = try launcher.launch(TrialLaunch(trialNumber: number, start: .fresh(parameters: ["lr": .number(0.01)], seed: number),
                                                targetEpochs: 1))
        }
        func release(_ number: Int) throws {
            try Data().write(to: directory.appendingPathComponent("release-\(number)"))
            var exited = false
            for _ in 0..<500 where !exited {
                if case .exited(let trial, _, _)? = launcher.nextEvent(timeout: 0.02), trial == number { exited = true }
            }
            try #require(exited, "trial \(number) did not exit")
        }
        func request(_ number: Int) -> Int? { ThreadRequest.read(folder.threadRequest(number)) }

        // A stale request from an earlier run of trial 1 is removed when trial 1 starts.
        try FileManager.default.createDirectory(at: folder.trialDirectory(1), withIntermediateDirectories: true)
        try ThreadRequest.write(2, to: folder.threadRequest(1))
        try start(0)
        try start(1)
        _ = launcher.nextEvent(timeout: 0.02)
        #expect(request(0) == nil && request(1) == nil)  // two running: the run files' threads

        try release(0)
        _ = launcher.nextEvent(timeout: 0.02)
        #expect(request(1) == 2)  // alone

        try start(2)
        _ = launcher.nextEvent(timeout: 0.02)
        #expect(request(1) == 1 && request(2) == nil)  // two again

        try release(1)
        _ = launcher.nextEvent(timeout: 0.02)
        #expect(request(2) == 2)
        try release(2)
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
