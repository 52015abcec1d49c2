/// Loads, cleans, splits and scales the data a spec describes. The spec's `split_seed` drives the
/// per-class cap and the validation split (the synthetic data has its own `synthetic_seed`).
public func loadDataset(_ spec: DataSpec) throws -> PreparedData {
    try spec.validate()
    switch spec.format {
    case .npy: return try NPYDataset.load(spec, seed: spec.splitSeed)
    case .cicflowmeter, .nslKDD, .unswNB15, .csv, .zeek, .suricataEVE, .synthetic: return try FlowDataset.load(spec, seed: spec.splitSeed)
    }
}

/// `loadDataset(spec)` through `cache`: a trial maps the prepared samples instead of parsing the
/// files again. Synthetic data is generated, not read, so it is never cached.
public func loadDataset(_ spec: DataSpec, cache: PreparedDatasetCache?) throws -> (data: PreparedData, cacheUse: PreparedDatasetCache.Use?) {
    guard let cache, spec.format != .synthetic else { return (try loadDataset(spec), nil) }
    try spec.validate()
    let loaded = try cache.load(spec, prepare: loadDataset)
    return (loaded.data, loaded.use)
}
