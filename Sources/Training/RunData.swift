import FlowData
import Foundation
import FileFormats

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
        do {
            return try DataSpec.decode(json: JSONValue.object(members).canonicalText)
        } catch let error as DataError {
            throw JSONFileError(source: source, field: nil, message: error.description)
        }
    }

    /// Loads, cleans, splits (by the data's `split_seed`, never the model seed) and scales the
    /// run's data into what the trainer consumes, through `cache` when one is given.
    public func loadTrainingData(source: String, cache: PreparedDatasetCache? = nil) throws
        -> (data: TrainingData, prepared: PreparedData, cacheUse: PreparedDatasetCache.Use?) {
        let spec = try dataSpec(source: source)
        let (prepared, cacheUse) = try loadDataset(spec, cache: cache)
        let data = TrainingData(
            train: prepared.train, validation: prepared.validation, test: prepared.test, classNames: prepared.classNames,
            preprocessing: try prepared.preprocessingMetadata(),
            validationFingerprint: prepared.validationFingerprint, testFingerprint: prepared.testFingerprint)
        return (data, prepared, cacheUse)
    }
}
