extension ParameterStore {
    /// Every entry as a safetensors tensor under its PyTorch name (counters as I64).
    public func stateDictionary() -> [String: SafeTensor] {
        var result: [String: SafeTensor] = [:]
        for entry in entries {
            switch entry.kind {
            case .counter:
                result[entry.name] = SafeTensor(shape: [], values: .int64([counters[entry.offset]]))
            case .parameter, .buffer:
                result[entry.name] = SafeTensor(shape: entry.shape, floats: values(of: entry))
            }
        }
        return result
    }

    /// Loads every entry from `tensors` (strict, like `load_state_dict`): a missing name, an extra
    /// name or a wrong shape is an error naming the tensor, and nothing is changed unless all fit.
    public func load(_ tensors: [String: SafeTensor], path: String) throws(SafetensorsError) {
        for entry in entries {
            guard let tensor = tensors[entry.name] else { throw .missingTensor(path: path, name: entry.name) }
            guard tensor.shape == entry.shape else {
                throw .shapeMismatch(path: path, name: entry.name, expected: entry.shape, found: tensor.shape)
            }
        }
        let known = Set(entries.map(\.name))
        let extra = tensors.keys.filter { !known.contains($0) }.sorted()
        guard extra.isEmpty else { throw .unexpectedTensors(path: path, names: extra) }
        for entry in entries {
            guard let tensor = tensors[entry.name] else { continue }
            switch (entry.kind, tensor.values) {
            case (.counter, .int64(let values)): counters[entry.offset] = values[0]
            case (.counter, .float32(let values)): counters[entry.offset] = Int64(values[0])
            default:
                // Shapes were checked above, so the counts agree.
                try? setValues(tensor.floats, of: entry)
            }
        }
    }
}
