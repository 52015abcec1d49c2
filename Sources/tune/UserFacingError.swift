import FlowData
import Foundation
import FileFormats
import NN
import Search
import Training
import TrialProtocol

/// The one line a person sees for an error, and the exit status that goes with it.
func describe(_ error: Error) -> (message: String, status: Int32) {
    switch error {
    case let error as JSONFileError: return (error.description, ExitStatus.badInput)
    case let error as DataError: return (error.description, ExitStatus.badInput)
    case let error as SafetensorsError: return (error.description, ExitStatus.badInput)
    case let error as ModelError: return (error.description, ExitStatus.badInput)
    case let error as LearningCurveTable.ReadError: return (error.description, ExitStatus.badInput)
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
