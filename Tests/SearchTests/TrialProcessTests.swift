import Foundation
import Search
import Synchronization
import Testing

@Suite("Trial processes")
struct TrialProcessTests {
    func shell(_ script: String, timeLimit: Duration? = nil) throws -> (TrialOutcome, [String]) {
        let lines = Mutex<[String]>([])
        let process = TrialProcess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script],
                                   timeLimit: timeLimit)
        let outcome = try process.run { line in lines.withLock { $0.append(line) } }
        return (outcome, lines.withLock { $0 })
    }

    @Test func deliversStdoutLinesAndKeepsTheStderrTail() throws {
        let (outcome, lines) = try shell(#"echo '{"epoch":1}'; echo oops >&2; printf '{"epoch":2}'; exit 3"#)
        #expect(lines == [#"{"epoch":1}"#, #"{"epoch":2}"#])
        #expect(outcome.exitStatus == 3 && outcome.signal == nil && !outcome.timedOut && !outcome.succeeded)
        #expect(outcome.stderrTail == "oops\n")
    }

    @Test func stderrTailIsBounded() throws {
        let (outcome, _) = try shell("i=0; while [ $i -lt 2000 ]; do echo line-$i >&2; i=$((i+1)); done")
        #expect(outcome.succeeded)
        #expect(outcome.stderrTail.utf8.count <= TrialProcess.stderrTailLimit)
        #expect(outcome.stderrTail.hasSuffix("line-1999\n"))
    }

    @Test func aSignalIsReportedAsSuch() throws {
        let (outcome, _) = try shell("kill -9 $$")
        #expect(outcome.signal == 9 && outcome.exitStatus == nil)
    }

    @Test func theTimeLimitKills() throws {
        let started = Date()
        let (outcome, lines) = try shell("echo started; exec sleep 30", timeLimit: .milliseconds(300))
        #expect(outcome.timedOut && outcome.signal == 9)
        #expect(lines == ["started"])
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
