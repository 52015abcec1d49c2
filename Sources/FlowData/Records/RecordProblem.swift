/// Why one record could not be read or scored, worded for the person who owns the file.
public enum RecordProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case notANumber(column: String, value: String)
    case notFinite(column: String)
    case unknownCategory(column: String, value: String)

    public var description: String {
        switch self {
        case .malformed(let reason): return reason
        case .notANumber(let column, let value):
            return "column '\(column)': '\(value)' is not a number"
        case .notFinite(let column): return "column '\(column)' is NaN or infinite"
        case .unknownCategory(let column, let value):
            return "column '\(column)': '\(value)' was never seen in training"
        }
    }
}
