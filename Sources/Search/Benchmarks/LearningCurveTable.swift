import Foundation
import FileFormats

/// Recorded learning curves of real trainings, one row per configuration (`Reports/samplers/
/// curves.csv`): the parameters, the seconds an epoch took and the metric after every epoch.
/// A tabular benchmark looks a sampler's configuration up in it instead of training: the row
/// nearest to it (`nearestRow`), by the rule `Reports/samplers/optuna_tabular.py` also uses.
public struct LearningCurveTable: Sendable {
    public struct Row: Sendable {
        public var parameters: TrialParameters
        public var secondsPerEpoch: Double
        /// The metric after epoch 1, 2, ...
        public var curve: [Double]
    }

    public let parameters: [SearchParameter]
    public let rows: [Row]

    public enum ReadError: Error, CustomStringConvertible {
        case malformed(path: String, line: Int, message: String)
        public var description: String {
            switch self {
            case .malformed(let path, let line, let message): return "\(path), line \(line): \(message)"
            }
        }
    }

    /// Reads `path`: header `trial, <each searched parameter>, seconds_per_epoch, e1, ..., eN`;
    /// every row needs all N epochs. `parameters` say how each column's text is read.
    public static func read(path: String, parameters: [SearchParameter]) throws -> LearningCurveTable {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ReadError.malformed(path: path, line: 0, message: "cannot be read (\(error.localizedDescription))")
        }
        let table: CSVTable
        do { table = try CSVTable.parse(text) } catch { throw ReadError.malformed(path: path, line: error.line, message: error.message) }
        let searched = parameters.filter { if case .constant = $0.distribution { return false }; return true }
        var columns: [String: Int] = [:]
        for (index, name) in table.header.enumerated() { columns[name] = index }
        for name in searched.map(\.name) + ["seconds_per_epoch", "e1"] where columns[name] == nil {
            throw ReadError.malformed(path: path, line: 1, message: "has no column \(name)")
        }
        let epochColumns = (1...).lazy.map { "e\($0)" }.prefix { columns[$0] != nil }.compactMap { columns[$0] }
        var rows: [Row] = []
        for (offset, fields) in table.rows.enumerated() {
            let line = offset + 2
            func number(_ column: Int, _ name: String) throws -> Double {
                guard column < fields.count, let value = Double(fields[column]), value.isFinite else {
                    throw ReadError.malformed(path: path, line: line, message: "\(name) is not a number")
                }
                return value
            }
            var chosen: TrialParameters = [:]
            for parameter in parameters {
                switch parameter.distribution {
                case .constant(let value):
                    chosen[parameter.name] = value
                case .categorical(let values):
                    let text = fields[columns[parameter.name] ?? 0]
                    let value = values.first { value in
                        switch value {
                        case .string(let name): return name == text
                        case .number(let number): return Double(text) == number
                        default: return value.canonicalText == text
                        }
                    }
                    guard let value else {
                        throw ReadError.malformed(path: path, line: line, message: "\(parameter.name) \"\(text)\" is not one of its values")
                    }
                    chosen[parameter.name] = value
                default:
                    chosen[parameter.name] = .number(try number(columns[parameter.name] ?? 0, parameter.name))
                }
            }
            let curve = try epochColumns.map { try number($0, "an epoch's value") }
            rows.append(Row(parameters: chosen, secondsPerEpoch: try number(columns["seconds_per_epoch"] ?? 0, "seconds_per_epoch"), curve: curve))
        }
        guard !rows.isEmpty else { throw ReadError.malformed(path: path, line: 2, message: "has no rows") }
        return LearningCurveTable(parameters: searched, rows: rows)
    }

    /// The index of the row nearest to `chosen`: one per categorical mismatch, plus each number's
    /// difference as a share of its range (of log values for a log-scaled one); ties go to the
    /// earlier row.
    public func nearestRow(to chosen: TrialParameters) -> Int {
        var best = 0, bestDistance = Double.infinity
        for (index, row) in rows.enumerated() {
            var distance = 0.0
            for parameter in parameters {
                let mine = chosen[parameter.name], theirs = row.parameters[parameter.name]
                switch parameter.distribution {
                case .uniform(let low, let high), .quantizedUniform(let low, let high, _):
                    distance += abs(Self.number(mine) - Self.number(theirs)) / (high - low)
                case .logUniform(let low, let high):
                    distance += abs(log(Self.number(mine)) - log(Self.number(theirs))) / log(high / low)
                case .integerUniform(let low, let high):
                    distance += abs(Self.number(mine) - Self.number(theirs)) / Double(high - low)
                case .categorical, .constant:
                    distance += mine == theirs ? 0 : 1
                }
            }
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }

    private static func number(_ value: JSONValue?) -> Double {
        if case .number(let number)? = value { return number }
        return .nan
    }
}
