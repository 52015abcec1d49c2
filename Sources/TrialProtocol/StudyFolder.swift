import Foundation

/// The layout of a study's folder, `Searches/NAME/`: its SQLite journal and one folder per trial
/// holding the trial's run file and its run's output. Shared by every worker of the study.
public struct StudyFolder: Sendable, Equatable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The study's journal when it is kept in SQLite beside the trials.
    public var journal: URL { directory.appendingPathComponent("journal.sqlite") }
    /// The folder holding every trial's folder.
    public var trials: URL { directory.appendingPathComponent("trials") }
    /// The folder of trial `number`: its run file and its run's output.
    public func trialDirectory(_ number: Int) -> URL { trials.appendingPathComponent(String(number)) }
    /// The run file the coordinator writes for trial `number` (`tune train --config` reads it).
    public func runFile(_ number: Int) -> URL { trialDirectory(number).appendingPathComponent("run.json") }
    /// The file through which the coordinator changes trial `number`'s threads while it runs
    /// (`ThreadRequest`).
    public func threadRequest(_ number: Int) -> URL { trialDirectory(number).appendingPathComponent("threads") }
    /// The output folder of trial `number`'s run.
    public func runFiles(_ number: Int) -> RunFiles { RunFiles(directory: trialDirectory(number).appendingPathComponent("run")) }
}
