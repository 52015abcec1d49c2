import FlowData

/// Everything a run trains and evaluates on, already cleaned and scaled.
public struct TrainingData: Sendable {
    public var train: SampleSet
    public var validation: SampleSet
    public var test: SampleSet?
    public var classNames: [String]
    /// Strings stored in checkpoints so prediction can prepare new data the same way
    /// (feature names, scaler, encodings), as the data layer provides them.
    public var preprocessing: [String: String]
    /// Which records the validation (and test) samples are (`SplitFingerprint`), when known.
    public var validationFingerprint: String?
    public var testFingerprint: String?

    public init(train: SampleSet, validation: SampleSet, test: SampleSet? = nil,
                classNames: [String], preprocessing: [String: String] = [:],
                validationFingerprint: String? = nil, testFingerprint: String? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.validationFingerprint = validationFingerprint
        self.testFingerprint = testFingerprint
    }

    /// Throws unless the splits agree in shape, labels are valid class indices and the training
    /// split can form a batch.
    public func validate() throws(TrainingError) {
        let splits = [("training", train), ("validation", validation)] + (test.map { [("test", $0)] } ?? [])
        for (name, split) in splits {
            guard split.values.count == split.count * split.sampleSize else {
                throw .data("the \(name) split holds \(split.values.count) values, not \(split.count) samples of \(split.channels) x \(split.length)")
            }
            guard split.channels == train.channels, split.length == train.length else {
                throw .data("the \(name) split has samples of \(split.channels) x \(split.length), training has \(train.channels) x \(train.length)")
            }
            if let bad = split.labels.first(where: { $0 < 0 || Int($0) >= classNames.count }) {
                throw .data("the \(name) split has label \(bad), outside the \(classNames.count) classes")
            }
        }
        guard train.count >= 2 else { throw .data("the training split needs at least 2 samples, has \(train.count)") }
        guard validation.count >= 1 else { throw .data("the validation split is empty") }
        guard classNames.count >= 2 else { throw .data("a classifier needs at least 2 classes, found \(classNames.count)") }
    }
}
