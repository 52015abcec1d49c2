/// Everything that can go wrong reading or preparing data, worded for the person who supplied
/// the file: each case names the file (or spec field) and, where it applies, the line and column.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read (missing, a directory, no permission).
    case unreadableFile(path: String, reason: String)
    /// The file could not be written.
    case unwritableFile(path: String, reason: String)
    /// A glob or path in the spec matched no file.
    case noMatchingFiles(pattern: String)
    /// Not a valid .npy file: bad magic, bad header, truncated payload.
    case malformedNPY(source: String, reason: String)
    /// A valid .npy file holding something this reader does not take (Fortran order, big-endian,
    /// object arrays, other dtypes).
    case unsupportedNPY(source: String, reason: String)
    /// A CSV problem at a 1-based line: ragged row, unterminated quote, bad header.
    case malformedCSV(source: String, line: Int, reason: String)
    /// A column the format needs is not in the header.
    case missingColumn(source: String, column: String)
    /// A feature value that is not a number.
    case nonNumericValue(source: String, line: Int, column: String, value: String)
    /// The file or split holds no usable rows.
    case emptyData(source: String, reason: String)
    /// Two inputs that must agree do not (feature columns of train and test, rows of X and y).
    case inconsistent(source: String, reason: String)
    /// A data spec field is missing, unknown or out of range.
    case invalidSpec(field: String, reason: String)
    /// Values of one kind were asked for as another (floats of a string array).
    case wrongValueType(reason: String)
    /// A stored scaler or encoder could not be restored.
    case invalidState(what: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the file: \(reason)"
        case .unwritableFile(let path, let reason):
            return "\(path): cannot write the file: \(reason)"
        case .noMatchingFiles(let pattern):
            return "\(pattern): no file matches this path"
        case .malformedNPY(let source, let reason):
            return "\(source): not a valid .npy file: \(reason)"
        case .unsupportedNPY(let source, let reason):
            return "\(source): unsupported .npy array: \(reason)"
        case .malformedCSV(let source, let line, let reason):
            return "\(source) line \(line): \(reason)"
        case .missingColumn(let source, let column):
            return "\(source): no column named '\(column)' in the header"
        case .nonNumericValue(let source, let line, let column, let value):
            return "\(source) line \(line), column '\(column)': '\(value)' is not a number"
        case .emptyData(let source, let reason):
            return "\(source): \(reason)"
        case .inconsistent(let source, let reason):
            return "\(source): \(reason)"
        case .invalidSpec(let field, let reason):
            return "data setting '\(field)': \(reason)"
        case .wrongValueType(let reason):
            return reason
        case .invalidState(let what, let reason):
            return "stored \(what) is invalid: \(reason)"
        }
    }
}
