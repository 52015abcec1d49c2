import FlowData
import Foundation
import FileFormats
import NN
import Search
import Training

/// Exit statuses of `tune`, documented in `tune train --help`.
enum ExitStatus {
    static let success: Int32 = 0
    /// Something unexpected (a bug, the machine): the message is still one line.
    static let failure: Int32 = 1
    /// Bad input: arguments, run or search files, data files, checkpoints.
    static let badInput: Int32 = 2
    /// Training diverged (NaN or infinite loss).
    static let diverged: Int32 = 3
    /// Stopped by Ctrl-C after checkpointing; `tune train --resume` continues.
    static let interrupted: Int32 = 4
}

/// The one line a person sees for an error, and the exit status that goes with it.
func describe(_ error: Error) -> (message: String, status: Int32) {
    switch error {
    case let error as JSONFileError: return (error.description, ExitStatus.badInput)
    case let error as DataError: return (error.description, ExitStatus.badInput)
    case let error as SafetensorsError: return (error.description, ExitStatus.badInput)
    case let error as ModelError: return (error.description, ExitStatus.badInput)
    case let error as StudyError:
        switch error.kind {
        case .storage, .internalInconsistency: return (error.description, ExitStatus.failure)
        default: return (error.description, ExitStatus.badInput)
        }
    case let error as TrainingError:
        if case .diverged = error { return (error.description, ExitStatus.diverged) }
        return (error.description, ExitStatus.badInput)
    default: return ("\(error)", ExitStatus.failure)
    }
}

/// Writes a line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// True when stderr is a terminal (progress lines go there only then).
var stderrIsTerminal: Bool { isatty(2) == 1 }
