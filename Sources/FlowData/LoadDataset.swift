/// Loads, cleans, splits and scales the data a spec describes. The spec's `split_seed` drives the
/// per-class cap and the validation split (the synthetic data has its own `synthetic_seed`).
public func loadDataset(_ spec: DataSpec) throws -> PreparedData {
    try spec.validate()
    switch spec.format {
    case .npy: return try NPYDataset.load(spec, seed: spec.splitSeed)
    case .cicflowmeter, .nslKDD, .unswNB15, .csv, .zeek, .suricataEVE, .synthetic: return try FlowDataset.load(spec, seed: spec.splitSeed)
    }
}
