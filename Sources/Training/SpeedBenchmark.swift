import Foundation
import NN
import Tensor

/// Training and inference throughput of one variant on random input, measured the way
/// `../shared/bench/torch_reference.py` measures PyTorch (same model, shapes, steps and fields),
/// so the two JSON lines can be compared side by side.
public struct SpeedBenchmark: Sendable {
    public var variant: ModelConfiguration.Variant = .lstm
    public var channels = 6
    public var sequenceLength = 128
    public var classes = 2
    /// LSTM hidden size and layers (the reference script's --hidden and --layers).
    public var hidden = 128
    public var layers = 1
    public var batchSize = 64
    public var steps = 30
    public var threads = 2
    /// Inference batch size and minimum measuring time, as the reference script.
    public var inferenceBatchSize = 256
    public var inferenceSeconds = 3.0

    public init() {}

    /// The measured numbers, with the reference script's field names.
    public struct Result: Codable, Sendable {
        public var variant: String
        public var channels: Int
        public var seq: Int
        public var batch: Int
        public var threads: Int
        public var hidden: Int
        public var layers: Int
        public var params: Int
        public var trainSamplesPerSecond: Double
        public var inferSamplesPerSecond: Double
        public var implementation = "tune"
        /// The GEMM implementation that ran (`BLAS.Kernels`: avx512, avx2 or openblas).
        public var kernels: String

        enum CodingKeys: String, CodingKey {
            case variant, channels, seq, batch, threads, hidden, layers, params, implementation, kernels
            case trainSamplesPerSecond = "train_samples_per_s"
            case inferSamplesPerSecond = "infer_samples_per_s"
        }
    }

    /// Runs 3 warm-up and `steps` timed training steps (forward, loss, backward, clip 5.0, Adam),
    /// then inference in evaluation mode for `inferenceSeconds`.
    public func run() throws -> Result {
        BLAS.setThreadCount(threads)
        var configuration = ModelConfiguration(inputChannels: channels, classCount: classes, variant: variant)
        configuration.lstmHidden = hidden
        configuration.lstmLayers = layers
        try configuration.validate(inputLength: sequenceLength)
        let model = try configuration.makeModel(seed: 0)
        let adam = Adam(parameters: model.parameters, learningRate: 1e-3)
        let criterion = CrossEntropy()
        var generator = SeededGenerator(seed: 0)
        let input = Tensor(shape: [batchSize, channels, sequenceLength])
        for index in 0..<input.count { input[flat: index] = generator.nextNormal() }
        let labels = (0..<batchSize).map { _ in Int32(generator.nextIndex(below: classes)) }

        func trainingStep() throws {
            let logits = try model.forward(input, training: true, generator: &generator)
            _ = criterion.forward(logits: logits, labels: labels)
            model.parameters.zeroGradients()
            model.backward(criterion.dLogits)
            GradientClipping.clip(model.parameters, maximumNorm: 5)
            adam.update()
        }
        for _ in 0..<3 { try trainingStep() }
        let trainingStart = DispatchTime.now().uptimeNanoseconds
        let trainingCPUStart = Self.processCPUSeconds()
        for _ in 0..<steps { try trainingStep() }
        let trainingSeconds = Double(DispatchTime.now().uptimeNanoseconds - trainingStart) / 1e9
        let trainingCPUSeconds = Self.processCPUSeconds() - trainingCPUStart

        let inferenceInput = Tensor(shape: [inferenceBatchSize, channels, sequenceLength])
        for index in 0..<inferenceInput.count { inferenceInput[flat: index] = generator.nextNormal() }
        try model.forward(inferenceInput, training: false, generator: &generator)
        let inferenceStart = DispatchTime.now().uptimeNanoseconds
        let inferenceCPUStart = Self.processCPUSeconds()
        var inferred = 0
        var elapsed = 0.0
        repeat {
            try model.forward(inferenceInput, training: false, generator: &generator)
            inferred += inferenceBatchSize
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - inferenceStart) / 1e9
        } while elapsed < inferenceSeconds
        if ProcessInfo.processInfo.environment["TUNE_BENCH_CPU"] != nil {
            // On a busy machine wall time mostly measures the neighbours; process CPU time per
            // sample (all threads, spinning included) is steadier. Diagnostic only, on stderr.
            let inferenceCPUSeconds = Self.processCPUSeconds() - inferenceCPUStart
            let line = String(format: "%@ threads %d: train %.3f ms CPU/sample (%.3f wall), infer %.3f ms CPU/sample (%.3f wall)\n",
                              variant.rawValue, threads, trainingCPUSeconds * 1000 / Double(batchSize * steps),
                              trainingSeconds * 1000 / Double(batchSize * steps),
                              inferenceCPUSeconds * 1000 / Double(inferred), elapsed * 1000 / Double(inferred))
            FileHandle.standardError.write(Data(line.utf8))
        }

        return Result(
            variant: variant.rawValue, channels: channels, seq: sequenceLength, batch: batchSize,
            threads: threads, hidden: hidden, layers: layers, params: model.parameters.parameterCount,
            trainSamplesPerSecond: (Double(batchSize * steps) / trainingSeconds * 10).rounded() / 10,
            inferSamplesPerSecond: (Double(inferred) / elapsed * 10).rounded() / 10,
            kernels: BLAS.kernels.rawValue)
    }

    /// CPU time of the whole process so far (every thread), seconds.
    private static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
