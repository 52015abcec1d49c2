import Data
import Foundation
import JSONConfig

extension RunConfiguration {
    /// The data layer's spec: the `data` section merged with the top-level preprocessing keys
    /// (`layout`, `scaler`, `window`, `stride`), which a search samples like hyperparameters.
    public func dataSpec(source: String) throws -> DataSpec {
        guard case .object(var members) = data else {
            throw JSONFileError(source: source, field: "data", message: "must be a JSON object, not \(data.typeName)")
        }
        for (key, value) in preprocessing {
            if members[key] != nil {
                throw JSONFileError(source: source, field: "data.\(key)",
                                    message: "is also given at the top level; keep one")
            }
            members[key] = value
        }
        let text: Data
        do {
            text = try JSONSerialization.data(withJSONObject: JSONValue.object(members).foundationObject)
        } catch {
            throw JSONFileError(source: source, field: "data", message: "cannot be encoded: \(error)")
        }
        do {
            return try DataSpec.decode(json: Array(text))
        } catch let error as DataError {
            throw JSONFileError(source: source, field: nil, message: error.description)
        }
    }

    /// Loads, cleans, splits and scales the run's data into what the trainer consumes.
    public func loadTrainingData(source: String) throws -> (data: TrainingData, prepared: PreparedData) {
        let spec = try dataSpec(source: source)
        let prepared = try loadDataset(spec, seed: options.seed)
        let data = TrainingData(
            train: LabeledSamples(prepared.train), validation: LabeledSamples(prepared.validation),
            test: prepared.test.map(LabeledSamples.init), classNames: prepared.classNames,
            preprocessing: try prepared.preprocessingMetadata())
        return (data, prepared)
    }
}

extension LabeledSamples {
    /// The trainer's view of a data-layer sample set.
    public init(_ samples: SampleSet) {
        self.init(values: samples.values, labels: samples.labels, channels: samples.channels, length: samples.length)
    }
}

extension JSONValue {
    /// The value as Foundation objects, for JSONSerialization.
    var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number):
            return number == number.rounded() && abs(number) < 9e15 ? Int(number) as Any : number as Any
        case .string(let text): return text
        case .array(let elements): return elements.map(\.foundationObject)
        case .object(let members): return members.mapValues(\.foundationObject)
        }
    }
}
