import Foundation
import FileFormats
import Testing
@testable import Search

@Suite("Worker liveness and claims")
struct WorkerLivenessTests {
    static let header = StudyHeader(name: "toy", fingerprint: "f", document: .object([:]), seed: 1)

    /// A study whose trial 0 is running under `worker`.
    static func study(runningUnder worker: String) throws -> Study {
        let journal = InMemoryJournal([.createStudy(header), .createTrial(number: 0, parameters: ["lr": .number(0.01)]),
                                       .claimTrial(number: 0, targetEpochs: 3, worker: worker)])
        return try Study.load(journal: journal)
    }

    @Test func aWorkerIsDeadOnlyAfterATimeoutWithoutANewHeartbeatOnTheLocalClock() throws {
        var study = try Self.study(runningUnder: "b:2")
        var liveness = WorkerLiveness(timeout: 60)
        // First sight starts the clock: even an ancient heartbeat (a skewed clock) is not death.
        try study.append([.heartbeat(worker: "b:2", time: 5)])
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 1000).isEmpty)
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 1059).isEmpty)
        // A new heartbeat restarts it.
        try study.append([.heartbeat(worker: "b:2", time: 6)])
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 1059).isEmpty)
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 1118).isEmpty)
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 1119) == ["b:2"])
    }

    @Test func aWorkerThatNeverSentAHeartbeatDiesAfterTheTimeoutToo() throws {
        let study = try Self.study(runningUnder: "b:2")
        var liveness = WorkerLiveness(timeout: 10)
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 0).isEmpty)
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 10) == ["b:2"])
    }

    @Test func oneselfAndWorkersWithoutRunningTrialsAreNeverDead() throws {
        var study = try Self.study(runningUnder: "a:1")
        try study.append([.heartbeat(worker: "c:3", time: 1)])
        var liveness = WorkerLiveness(timeout: 1)
        _ = liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 0)
        #expect(liveness.deadWorkers(in: study.snapshot, me: "a:1", now: 100).isEmpty)
    }

    /// A re-queue names the worker whose claim it ends: if another worker claimed the trial in the
    /// meantime, the stale re-queue changes nothing, so the new claim's run is not disowned.
    @Test func aStaleRequeueCannotEndANewerClaim() throws {
        var study = try Self.study(runningUnder: "b:2")
        try study.append([.setState(number: 0, state: .waiting, reason: "b:2 is dead", worker: "b:2"),
                          .claimTrial(number: 0, targetEpochs: 3, worker: "c:3"),
                          .setState(number: 0, state: .waiting, reason: "b:2 is dead (late)", worker: "b:2")])
        let trial = study.snapshot.trials[0]
        #expect(trial.state == .running)
        #expect(trial.worker == "c:3")
        #expect(trial.claimCount == 2)
        #expect(study.snapshot.ignoredEntries.count == 1)
        // A zombie's own state change is ignored the same way.
        try study.append([.setState(number: 0, state: .paused, reason: nil, worker: "b:2")])
        #expect(study.snapshot.trials[0].state == .running)
    }

    /// A worker declared dead that reports an epoch after its trial was re-queued and claimed by
    /// another changes nothing: the report is fenced by the worker named in it.
    @Test func aZombieReportCannotEnterANewerClaim() throws {
        var study = try Self.study(runningUnder: "b:2")
        try study.append([.reportEpoch(number: 0, epoch: 1, metrics: ["m": 0.5], worker: "b:2"),
                          .setState(number: 0, state: .waiting, reason: "b:2 is dead", worker: "b:2"),
                          .claimTrial(number: 0, targetEpochs: 3, worker: "c:3"),
                          .reportEpoch(number: 0, epoch: 2, metrics: ["m": 0.1], worker: "b:2"),
                          .reportEpoch(number: 0, epoch: 2, metrics: ["m": 0.7], worker: "c:3")])
        let trial = study.snapshot.trials[0]
        #expect(trial.reports.map(\.epoch) == [1, 2])
        #expect(trial.reports.map { $0.metrics["m"] } == [0.5, 0.7])
        #expect(study.snapshot.ignoredEntries.count == 1)
        // The field survives the journal's text form; reports without it (older journals) still count.
        let entry = JournalOperation.reportEpoch(number: 0, epoch: 3, metrics: ["m": 1], worker: "c:3")
        #expect(try JournalEncoding.decode(JournalEncoding.encode(entry), index: 0, source: "test") == entry)
        try study.append([.reportEpoch(number: 0, epoch: 3, metrics: ["m": 0.9])])
        #expect(study.snapshot.trials[0].reports.count == 3)
    }

    @Test func twoWorkersRacingForOneTrialGetItOnce() throws {
        var first = try Self.study(runningUnder: "a:1")
        try first.append([.setState(number: 0, state: .paused, reason: nil, worker: "a:1")])
        var second = try Study.load(journal: first.journal)
        #expect(try first.record(.resume(trialNumber: 0, targetEpochs: 9), worker: "a:1"))
        #expect(try !second.record(.resume(trialNumber: 0, targetEpochs: 9), worker: "b:2"))
        #expect(second.snapshot.trials[0].worker == "a:1")
    }

    @Test func theTrialBudgetAndStudyFolderSurviveTheJournal() throws {
        let header = StudyHeader(name: "toy", fingerprint: "f", document: .object([:]), seed: 1, directory: "/shared/Searches/toy")
        let operations: [JournalOperation] = [.createStudy(header), .setTrialBudget(trials: 20), .setTrialBudget(trials: 30),
                                              .setState(number: 0, state: .waiting, reason: nil, worker: "w:1")]
        for operation in operations {
            #expect(try JournalEncoding.decode(JournalEncoding.encode(operation), index: 0, source: "j") == operation)
        }
        let study = try Study.load(journal: InMemoryJournal(Array(operations.prefix(3))))
        #expect(study.snapshot.trialBudget == 30)
        #expect(study.snapshot.header.directory == "/shared/Searches/toy")
    }

    @Test func workerNamesParseAndAGoneLocalProcessIsRecognised() throws {
        let me = WorkerName.current
        #expect(WorkerName(me.description) == me)
        #expect(WorkerName("host.with:colons:42")?.processIdentifier == 42)
        #expect(WorkerName("no-pid") == nil)
        #expect(!me.isGoneFromThisMachine)
        #expect(!WorkerName(host: "some-other-host", processIdentifier: 999_999).isGoneFromThisMachine)
        // A process that exited: its pid no longer exists (pids are not reused this fast).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        #expect(WorkerName(host: me.host, processIdentifier: process.processIdentifier).isGoneFromThisMachine)
    }

    /// A worker restarted in the same container has the same host name and, as PID 1, the same
    /// pid: it must not take its predecessor's claims for its own, and must see it has ended.
    @Test func aWorkerRestartedUnderTheSameHostAndPidIsANewWorker() throws {
        let restarted = WorkerName(host: "job-abc", processIdentifier: 1, namespace: 4_026_532_198, instance: "0000beef")
        let predecessor = WorkerName(host: "job-abc", processIdentifier: 1, namespace: 4_026_532_198, instance: "0000cafe")
        #expect(restarted.description != predecessor.description)
        #expect(WorkerName(restarted.description) == restarted)
        #expect(WorkerName("job-abc:1:0:0000cafe") == WorkerName(host: "job-abc", processIdentifier: 1, instance: "0000cafe"))
        let noProcesses: (Int32) -> Bool = { _ in false }
        let everyProcess: (Int32) -> Bool = { _ in true }
        // Its own pid in its own namespace is this process, so that earlier instance has ended,
        // even though a process with that pid exists (this one).
        #expect(predecessor.isGone(seenFrom: restarted, processExists: everyProcess))
        // A name of an earlier release (HOST:PID) with this pid: the same.
        #expect(WorkerName("job-abc:1")?.isGone(seenFrom: restarted, processExists: everyProcess) == true)
        #expect(!restarted.isGone(seenFrom: restarted, processExists: noProcesses))
        // Another container with the same host name (another pid namespace): only its heartbeat tells.
        var replica = predecessor
        replica.namespace = 4_026_532_777
        #expect(!replica.isGone(seenFrom: restarted, processExists: noProcesses))
        // Another pid in this namespace: gone exactly when that process no longer exists.
        var sibling = predecessor
        sibling.processIdentifier = 57
        #expect(sibling.isGone(seenFrom: restarted, processExists: noProcesses))
        #expect(!sibling.isGone(seenFrom: restarted, processExists: everyProcess))
        // Different processes always get different names.
        #expect(WorkerName.current.instance != nil)
    }

    /// Two replicas with the same host name and pid (PID 1 in two containers) claim the same trial:
    /// with instance ids in their names, exactly one wins.
    @Test func twoReplicasWithTheSameHostAndPidNeverBothWinAClaim() throws {
        let header = StudyHeader(name: "toy", fingerprint: "f", document: .object([:]), seed: 1)
        let journal = InMemoryJournal([.createStudy(header), .createTrial(number: 0, parameters: [:])])
        let first = WorkerName(host: "worker", processIdentifier: 1, namespace: 11, instance: "00000001").description
        let second = WorkerName(host: "worker", processIdentifier: 1, namespace: 12, instance: "00000002").description
        var one = try Study.load(journal: journal)
        var other = try Study.load(journal: journal)
        let wins = [try one.record(.resume(trialNumber: 0, targetEpochs: 3), worker: first),
                    try other.record(.resume(trialNumber: 0, targetEpochs: 3), worker: second)]
        #expect(wins == [true, false])
    }
}
