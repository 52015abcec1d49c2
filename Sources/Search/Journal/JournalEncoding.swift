import Foundation
import FileFormats

/// The text form of journal entries: one JSON object per entry with a format version, so a newer
/// tune can still read old journals and an older one refuses newer entries instead of guessing.
///
/// `{"format":1,"op":"report_epoch","trial":3,"epoch":2,"metrics":{"val_loss":0.41}}`
/// Non-finite metrics are written as the strings "NaN", "Infinity" and "-Infinity"; the seed is a
/// string so every 64-bit value survives.
public enum JournalEncoding {
    /// The format this version writes and the newest it reads.
    public static let formatVersion = 1

    public static func encode(_ operation: JournalOperation) -> String {
        var members: [String: JSONValue] = ["format": .number(Double(formatVersion))]
        switch operation {
        case .createStudy(let header):
            members["op"] = .string("create_study")
            members["name"] = .string(header.name)
            members["fingerprint"] = .string(header.fingerprint)
            members["search"] = header.document
            members["seed"] = .string(String(header.seed))
            if let directory = header.directory { members["directory"] = .string(directory) }
        case .createTrial(let number, let parameters):
            members["op"] = .string("create_trial")
            members["trial"] = .number(Double(number))
            members["parameters"] = .object(parameters)
        case .claimTrial(let number, let targetEpochs, let worker):
            members["op"] = .string("claim_trial")
            members["trial"] = .number(Double(number))
            members["target_epochs"] = .number(Double(targetEpochs))
            members["worker"] = .string(worker)
        case .reportEpoch(let number, let epoch, let metrics, let worker):
            members["op"] = .string("report_epoch")
            members["trial"] = .number(Double(number))
            members["epoch"] = .number(Double(epoch))
            members["metrics"] = .object(metrics.mapValues(encodeMetric))
            if let worker { members["worker"] = .string(worker) }
        case .setState(let number, let state, let reason, let worker):
            members["op"] = .string("set_state")
            members["trial"] = .number(Double(number))
            members["state"] = .string(state.rawValue)
            if let reason { members["reason"] = .string(reason) }
            if let worker { members["worker"] = .string(worker) }
        case .heartbeat(let worker, let time):
            members["op"] = .string("heartbeat")
            members["worker"] = .string(worker)
            members["time"] = .number(time)
        case .setTrialBudget(let trials):
            members["op"] = .string("set_trial_budget")
            members["trials"] = .number(Double(trials))
        }
        return JSONValue.object(members).canonicalText
    }

    /// Decodes entry `index` of the journal `source`; errors name both.
    public static func decode(_ text: String, index: Int, source: String) throws(StudyError) -> JournalOperation {
        let entrySource = "\(source) entry \(index)"
        do {
            let document = try JSONValue.parse(Data(text.utf8), source: entrySource)
            var reader = try JSONObjectReader(document, source: entrySource)
            guard let format = try reader.integer("format") else { throw reader.error("format", "is missing") }
            if format > formatVersion {
                throw StudyError(.newerFormat, "\(entrySource) was written in journal format \(format) by a newer tune; this one reads format \(formatVersion) and older")
            }
            guard let kind = try reader.string("op") else { throw reader.error("op", "is missing") }
            let operation: JournalOperation
            switch kind {
            case "create_study":
                let seedText = try required(reader.string("seed"), "seed", reader)
                guard let seed = Int(seedText) else { throw reader.error("seed", "is not a whole number: \(seedText)") }
                guard let document = reader.value("search") else { throw reader.error("search", "is missing") }
                operation = .createStudy(StudyHeader(
                    name: try required(reader.string("name"), "name", reader),
                    fingerprint: try required(reader.string("fingerprint"), "fingerprint", reader),
                    document: document, seed: seed, directory: try reader.string("directory")))
            case "create_trial":
                guard case .object(let parameters)? = reader.value("parameters") else {
                    throw reader.error("parameters", "must be an object")
                }
                operation = .createTrial(number: try trialNumber(&reader), parameters: parameters)
            case "claim_trial":
                operation = .claimTrial(number: try trialNumber(&reader),
                                        targetEpochs: try required(reader.integer("target_epochs"), "target_epochs", reader),
                                        worker: try required(reader.string("worker"), "worker", reader))
            case "report_epoch":
                guard var metricsReader = try reader.object("metrics") else { throw reader.error("metrics", "is missing") }
                guard case .object(let members)? = document.member("metrics") else { throw reader.error("metrics", "must be an object") }
                var metrics: [String: Double] = [:]
                for name in members.keys {
                    metrics[name] = try decodeMetric(metricsReader.value(name), field: metricsReader.fieldName(name), source: entrySource)
                }
                try metricsReader.rejectUnknownKeys()
                operation = .reportEpoch(number: try trialNumber(&reader),
                                         epoch: try required(reader.integer("epoch"), "epoch", reader),
                                         metrics: metrics, worker: try reader.string("worker"))
            case "set_state":
                let stateName = try required(reader.string("state"), "state", reader)
                guard let state = TrialState(rawValue: stateName) else { throw reader.error("state", "is \"\(stateName)\", not a trial state") }
                operation = .setState(number: try trialNumber(&reader), state: state, reason: try reader.string("reason"),
                                      worker: try reader.string("worker"))
            case "heartbeat":
                operation = .heartbeat(worker: try required(reader.string("worker"), "worker", reader),
                                       time: try required(reader.number("time"), "time", reader))
            case "set_trial_budget":
                let trials = try required(reader.integer("trials"), "trials", reader)
                guard trials >= 0 else { throw reader.error("trials", "is negative") }
                operation = .setTrialBudget(trials: trials)
            default:
                throw reader.error("op", "is \"\(kind)\", not an operation this tune knows")
            }
            try reader.rejectUnknownKeys()
            return operation
        } catch let error as StudyError {
            throw error
        } catch let error as JSONFileError {
            throw StudyError(.corruptJournal, "\(error.description) (the journal is damaged)")
        } catch {
            throw StudyError(.corruptJournal, "\(entrySource) cannot be read: \(error)")
        }
    }

    private static func trialNumber(_ reader: inout JSONObjectReader) throws(JSONFileError) -> Int {
        guard let number = try reader.integer("trial") else { throw reader.error("trial", "is missing") }
        guard number >= 0 else { throw reader.error("trial", "is negative") }
        return number
    }

    private static func required<T>(_ value: T?, _ key: String, _ reader: JSONObjectReader) throws(JSONFileError) -> T {
        guard let value else { throw reader.error(key, "is missing") }
        return value
    }

    private static func encodeMetric(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value == .infinity { return .string("Infinity") }
        if value == -.infinity { return .string("-Infinity") }
        return .number(value)
    }

    private static func decodeMetric(_ value: JSONValue?, field: String, source: String) throws(JSONFileError) -> Double {
        switch value {
        case .number(let number)?: return number
        case .string("NaN")?: return .nan
        case .string("Infinity")?: return .infinity
        case .string("-Infinity")?: return -.infinity
        default: throw JSONFileError(source: source, field: field, message: "must be a number")
        }
    }
}
