import FlowData
import Foundation
import NN
import Tensor
import TrialProtocol

/// Trains one model (any `SequenceClassifier`): seeded shuffled mini-batches, cross-entropy, gradient clipping, Adam and
/// ReduceLROnPlateau on the validation loss; evaluates every epoch; keeps the best checkpoint by
/// the chosen metric and, after every epoch, the full state needed to continue exactly.
///
/// Continuation is exact: the state after epoch k holds the weights, BatchNorm buffers, Adam
/// moments and step, the scheduler and the generator, so 0 -> 3 then 3 -> 9 repeats 0 -> 9 bit for
/// bit (with the same thread count).
public final class Trainer {
    public let modelConfiguration: ModelConfiguration
    public let options: TrainingOptions
    public let files: RunFiles
    public private(set) var completedEpochs = 0
    public private(set) var bestMetric: Double?
    public private(set) var bestEpoch: Int?

    private let data: TrainingData
    private let model: any SequenceClassifier
    private let adam: Adam
    private var plateau: ReduceLROnPlateau
    /// The scheduler's learning rate in Double (as PyTorch keeps it); Adam gets it as Float.
    private var learningRate: Double
    private var generator: SeededGenerator
    private let criterion = CrossEntropy()
    private let batchInput = Tensor(shape: [0])  // (B, C, L)
    private var batchLabels: [Int32] = []        // (B)
    private let metadata: [String: String]
    /// Called after every training batch with (samples done, samples in the epoch), for progress bars.
    public var onBatch: ((Int, Int) -> Void)?
    /// Called once, just before the first training step of this process (`tune bench startup`).
    public var beforeFirstStep: (() -> Void)?
    /// A thread request file (`ThreadRequest`) followed before every batch, when set: the search
    /// coordinator gives a trial running alone every core through it.
    public var threadRequests: URL? {
        get { threadRequestWatcher?.url }
        set { threadRequestWatcher = newValue.map(ThreadRequestWatcher.init) }
    }
    private var threadRequestWatcher: ThreadRequestWatcher?
    /// The thread count last taken from `threadRequests`, if any.
    public private(set) var requestedThreads: Int?

    /// A new run writing into `files.directory` (created if needed).
    public init(model configuration: ModelConfiguration, options: TrainingOptions, data: TrainingData,
                files: RunFiles) throws(TrainingError) {
        try options.validate()
        try data.validate()
        do {
            try configuration.validate(inputLength: data.train.length)
        } catch {
            throw .invalidSetting(field: Self.field(of: error), message: error.description)
        }
        guard configuration.inputChannels == data.train.channels, configuration.classCount == data.classNames.count else {
            throw .data("the model expects \(configuration.inputChannels) channels and \(configuration.classCount) classes; "
                        + "the data has \(data.train.channels) and \(data.classNames.count)")
        }
        modelConfiguration = configuration
        self.options = options
        self.data = data
        self.files = files
        do {
            model = try configuration.makeModel(seed: options.seed)
        } catch {
            throw .invalidSetting(field: Self.field(of: error), message: error.description)
        }
        learningRate = options.learningRate
        adam = Adam(parameters: model.parameters, learningRate: Float(options.learningRate),
                    weightDecay: Float(options.weightDecay))
        plateau = ReduceLROnPlateau(mode: .min, factor: options.plateauFactor, patience: options.plateauPatience)
        generator = SeededGenerator(seed: options.seed &+ 0x5EED)
        metadata = Self.checkpointMetadata(configuration: configuration, data: data, options: options)
        do {
            try FileManager.default.createDirectory(at: files.directory, withIntermediateDirectories: true)
        } catch {
            throw .checkpoint("cannot create the output folder \(files.directory.path): \(error.localizedDescription)")
        }
    }

    /// Continues the run saved in `files`, with the data it was trained on; `options` may change
    /// only `epochs` (and `threads`), anything else would not be a continuation.
    public convenience init(resuming files: RunFiles, data: TrainingData, epochs: Int? = nil,
                            threads: Int? = nil) throws(TrainingError) {
        let path = files.state.path
        let file: (tensors: [String: SafeTensor], metadata: [String: String])
        do {
            file = try Safetensors.read(path: path)
        } catch {
            throw .checkpoint(error.description)
        }
        guard let stateText = file.metadata["trainer_state"],
              let state = try? JSONDecoder().decode(TrainerState.self, from: Data(stateText.utf8)) else {
            throw .checkpoint("\(path): no readable trainer state; it was not written by `tune train`")
        }
        var options = state.options
        if let epochs { options.epochs = epochs }
        if let threads { options.threads = threads }
        guard state.classNames == data.classNames else {
            throw .data("\(path) was trained on classes \(state.classNames), the data now has \(data.classNames)")
        }
        if let stored = file.metadata[SplitFingerprint.validationKey], let now = data.validationFingerprint, stored != now {
            throw .data("\(path) was validated on other samples (validation fingerprint \(stored), the data now gives \(now)): "
                        + "the data files or the split settings changed since the run started; start a new run")
        }
        try self.init(model: state.model, options: options, data: data, files: files)
        var weights = file.tensors
        guard let first = weights.removeValue(forKey: "__adam.first_moments")?.floats,
              let second = weights.removeValue(forKey: "__adam.second_moments")?.floats,
              first.count == model.parameters.parameterCount, second.count == first.count else {
            throw .checkpoint("\(path): Adam's moments are missing or do not fit the model")
        }
        do {
            try model.parameters.load(weights, path: path)
        } catch {
            throw .checkpoint(error.description)
        }
        for (index, value) in first.enumerated() { adam.firstMoments.pointer[index] = value }
        for (index, value) in second.enumerated() { adam.secondMoments.pointer[index] = value }
        adam.step = state.adamStep
        learningRate = state.learningRate
        adam.learningRate = Float(state.learningRate)
        plateau = state.plateau
        let words = state.generatorState.compactMap(UInt64.init)
        guard let restored = try? SeededGenerator(state: words) else {
            throw .checkpoint("\(path): the generator state is damaged")
        }
        generator = restored
        completedEpochs = state.epoch
        bestMetric = state.bestMetric
        bestEpoch = state.bestEpoch
    }

    /// Trains until `options.epochs` epochs are done, calling `report` after each one (the best
    /// checkpoint is written by then, the state to continue from right after it returns). `shouldStop` is asked after every epoch; when it says yes
    /// the run ends early, resumable from the epoch just finished.
    /// A non-finite loss stops the run with `TrainingError.diverged`.
    public func run(shouldStop: () -> Bool = { false }, report: (EpochMetrics) throws -> Void) throws {
        BLAS.setThreadCount(options.threads)
        while completedEpochs < options.epochs && !shouldStop() {
            let started = DispatchTime.now().uptimeNanoseconds
            let epoch = completedEpochs + 1
            let trainLoss = try trainOneEpoch(epoch: epoch)
            let validationResult = try evaluate(data.validation)
            let (validationLoss, validation) = (validationResult.loss, validationResult.metrics)
            let testResult = try data.test.map { try evaluate($0) }
            guard validationLoss.isFinite else {
                throw TrainingError.diverged(epoch: epoch, message: "validation loss is \(validationLoss)")
            }
            let epochLearningRate = learningRate
            learningRate = plateau.step(metric: validationLoss, learningRate: learningRate)
            adam.learningRate = Float(learningRate)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let metrics = EpochMetrics(epoch: epoch, trainLoss: trainLoss, validationLoss: validationLoss,
                                       validation: validation, testLoss: testResult?.loss, test: testResult?.metrics,
                                       learningRate: epochLearningRate, seconds: seconds,
                                       validationFingerprint: data.validationFingerprint,
                                       testFingerprint: data.testFingerprint)
            completedEpochs = epoch
            if let value = metrics.value(of: options.metric), isImprovement(value) {
                bestMetric = value
                bestEpoch = epoch
                try writeCheckpoint(to: files.bestModel, includingTrainerState: false)
            }
            // The epoch is reported (logged, printed) before the state that continues after it is
            // written: a process killed between the two continues from epoch - 1 and trains this
            // epoch again, exactly. The other order could leave a run at its target whose epoch
            // no log or journal holds, which a retry would never train again.
            try report(metrics)
            try writeCheckpoint(to: files.state, includingTrainerState: true)
        }
    }

    // MARK: - Epochs

    private func trainOneEpoch(epoch: Int) throws -> Double {
        let split = data.train
        var order = Array(0..<split.count)
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(index, generator.nextIndex(below: index + 1))
        }
        var totalLoss = 0.0
        var seen = 0
        var start = 0
        while start < order.count {
            let size = min(options.batchSize, order.count - start)
            defer { start += size }
            // A last batch of one sample has no batch statistics; PyTorch would fail on it.
            if size < 2 { continue }
            followThreadRequests()
            gather(split, indices: order[start..<(start + size)])
            if let hook = beforeFirstStep {
                beforeFirstStep = nil
                hook()
            }
            let logits = try model.forward(batchInput, training: true, generator: &generator)
            let loss = criterion.forward(logits: logits, labels: batchLabels)
            guard loss.isFinite else {
                throw TrainingError.diverged(epoch: epoch, message: "training loss is \(loss) after \(seen) samples")
            }
            model.parameters.zeroGradients()
            model.backward(criterion.dLogits)
            if let clipNorm = options.clipNorm {
                GradientClipping.clip(model.parameters, maximumNorm: Float(clipNorm))
            }
            adam.update()
            totalLoss += Double(loss) * Double(size)
            seen += size
            onBatch?(start + size, order.count)
        }
        return seen > 0 ? totalLoss / Double(seen) : .nan
    }

    /// Mean loss, metrics and probabilities of a split in evaluation mode, in training-sized
    /// batches (so the layers' buffers, sized by the largest batch, stay as small as training needs).
    private func evaluate(_ split: SampleSet) throws -> (loss: Double, metrics: ClassificationMetrics, probabilities: [Float]) {
        let classes = modelConfiguration.classCount
        var probabilities = [Float](repeating: 0, count: split.count * classes)  // (N, K)
        var totalLoss = 0.0
        var start = 0
        while start < split.count {
            let size = min(options.batchSize, split.count - start)
            followThreadRequests()
            gather(split, indices: start..<(start + size))
            let logits = try model.forward(batchInput, training: false, generator: &generator)
            totalLoss += Double(criterion.forward(logits: logits, labels: batchLabels)) * Double(size)
            probabilities.withUnsafeMutableBufferPointer { target in
                guard let base = target.baseAddress else { return }
                let rows = base + start * classes
                rows.update(from: logits.pointer, count: size * classes)
                Kernels.softmaxRows(rows, rows: size, columns: classes)
            }
            start += size
        }
        let metrics = ClassificationMetrics(probabilities: probabilities, labels: split.labels, classCount: classes)
        return (split.count > 0 ? totalLoss / Double(split.count) : .nan, metrics, probabilities)
    }

    private func followThreadRequests() {
        if let count = threadRequestWatcher?.apply() { requestedThreads = count }
    }

    /// Copies the chosen samples into the preallocated batch buffers.
    private func gather<Indices: Collection<Int>>(_ split: SampleSet, indices: Indices) {
        let sampleSize = split.sampleSize
        batchInput.resize(to: [indices.count, split.channels, split.length])
        if batchLabels.count != indices.count { batchLabels = Array(repeating: 0, count: indices.count) }
        split.values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            for (row, index) in indices.enumerated() {
                (batchInput.pointer + row * sampleSize).update(from: base + index * sampleSize, count: sampleSize)
                batchLabels[row] = split.labels[index]
            }
        }
    }

    private func isImprovement(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        guard let bestMetric else { return true }
        return EpochMetrics.isMaximized(options.metric) ? value > bestMetric : value < bestMetric
    }

    // MARK: - Checkpoints

    private func writeCheckpoint(to url: URL, includingTrainerState: Bool) throws {
        var tensors = model.parameters.stateDictionary()
        var metadata = self.metadata
        metadata["epoch"] = String(completedEpochs)
        if includingTrainerState {
            tensors["__adam.first_moments"] = SafeTensor(shape: [adam.firstMoments.count], floats: adam.firstMoments.toArray())
            tensors["__adam.second_moments"] = SafeTensor(shape: [adam.secondMoments.count], floats: adam.secondMoments.toArray())
            let state = TrainerState(
                epoch: completedEpochs, adamStep: adam.step, learningRate: learningRate,
                plateau: plateau, generatorState: generator.state.map { String($0) },
                bestMetric: bestMetric, bestEpoch: bestEpoch, model: modelConfiguration, options: options,
                classNames: data.classNames)
            metadata["trainer_state"] = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        } else if let bestMetric {
            metadata["best_metric"] = String(bestMetric)
        }
        do {
            try Safetensors.write(tensors: tensors, metadata: metadata, to: url.path)
        } catch {
            throw TrainingError.checkpoint(error.description)
        }
    }

    /// What a checkpoint says about itself so `tune predict` can rebuild the model and the
    /// preprocessing: the model config, class names, metric, the data layer's strings, and which
    /// samples it was validated (and tested) on.
    private static func checkpointMetadata(configuration: ModelConfiguration, data: TrainingData,
                                           options: TrainingOptions) -> [String: String] {
        var metadata = data.preprocessing
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        metadata["model_config"] = (try? encoder.encode(configuration)).map { String(decoding: $0, as: UTF8.self) }
        metadata["class_names"] = (try? encoder.encode(data.classNames)).map { String(decoding: $0, as: UTF8.self) }
        metadata["metric"] = options.metric
        metadata["format"] = "tune-cnnlstm-1"
        metadata[SplitFingerprint.validationKey] = data.validationFingerprint
        metadata[SplitFingerprint.testKey] = data.testFingerprint
        return metadata
    }

    private static func field(of error: ModelError) -> String {
        switch error {
        case .invalidConfiguration(let field, _): return field
        case .inputShape: return "data"
        }
    }
}
