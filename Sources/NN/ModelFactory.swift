import Tensor

extension ModelConfiguration {
    /// The model this configuration describes, initialised from `seed`: the one place that maps
    /// a configuration to a model class, so a new kind of model is added here and in its own files.
    public func makeModel(seed: UInt64 = 0) throws(ModelError) -> any SequenceClassifier {
        switch variant {
        case .lstm, .bilstm, .attention:
            return try CNNLSTM(configuration: self, seed: seed)
        }
    }
}
