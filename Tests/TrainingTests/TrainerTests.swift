import FlowData
import Foundation
import NN
import Tensor
import Testing
import Training
import TrialProtocol

/// The trainer on small synthetic tensors (no data files): exact continuation, determinism,
/// checkpoints, divergence.
@Suite("Trainer")
struct TrainerTests {
    /// Three classes told apart by which channel carries a bump, plus noise.
    static func data(seed: UInt64 = 1) -> TrainingData {
        ToyTraffic(seed: seed, channels: 3, length: 16, noise: 0.5, bumpHeight: 1.5, bump: { _ in 5..<10 })
            .data(train: 90, validation: 30, test: 30)
    }

    static func model(_ variant: ModelConfiguration.Variant) -> ModelConfiguration {
        var configuration = ModelConfiguration(inputChannels: 3, classCount: 3, variant: variant)
        configuration.convChannels = [8, 16]
        configuration.lstmHidden = 8
        configuration.heads = 2
        configuration.headDim = 4
        configuration.dropout = 0.2
        return configuration
    }

    static func options(epochs: Int, seed: UInt64 = 3) -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = 16
        options.learningRate = 3e-3
        options.plateauPatience = 1  // so the scheduler's state matters for continuation
        options.seed = seed
        return options
    }

    static func temporaryFolder() -> RunFiles {
        RunFiles(directory: FileManager.default.temporaryDirectory.appendingPathComponent("tune-trainer-\(UUID().uuidString)"))
    }

    static func train(_ trainer: Trainer) throws -> [EpochMetrics] {
        var reports: [EpochMetrics] = []
        try trainer.run { reports.append($0) }
        return reports
    }

    static func weights(_ url: URL) throws -> [String: SafeTensor] {
        try Safetensors.read(path: url.path).tensors
    }

    /// Epoch metrics without the wall time, which legitimately differs.
    static func comparable(_ metrics: [EpochMetrics]) -> [EpochMetrics] {
        metrics.map { var copy = $0; copy.seconds = 0; return copy }
    }

    @Test(arguments: ModelConfiguration.Variant.allCases)
    func continuationIsExact(variant: ModelConfiguration.Variant) throws {
        let data = Self.data()
        let straight = Self.temporaryFolder()
        let all = try Self.train(Trainer(model: Self.model(variant), options: Self.options(epochs: 6), data: data, files: straight))
        #expect(all.count == 6)

        let split = Self.temporaryFolder()
        let first = try Self.train(Trainer(model: Self.model(variant), options: Self.options(epochs: 2), data: data, files: split))
        let rest = try Self.train(Trainer(resuming: split, data: data, epochs: 6))
        #expect(Self.comparable(first + rest) == Self.comparable(all))
        #expect(try Self.weights(split.state) == Self.weights(straight.state))
        #expect(try Self.weights(split.bestModel) == Self.weights(straight.bestModel))
    }

    /// A process killed after an epoch was reported (logged, printed) but before the state to
    /// continue after it was written: the run continues from the epoch before and trains that
    /// epoch again, exactly, so no retry can find a run at its target whose last epoch was never
    /// reported.
    @Test func aKillBetweenReportAndCheckpointTrainsTheEpochAgain() throws {
        struct Killed: Error {}
        let data = Self.data()
        let straight = Self.temporaryFolder()
        let expected = try Self.train(Trainer(model: Self.model(.lstm), options: Self.options(epochs: 3), data: data, files: straight))

        let files = Self.temporaryFolder()
        let first = try Trainer(model: Self.model(.lstm), options: Self.options(epochs: 3), data: data, files: files)
        var reported: [EpochMetrics] = []
        #expect(throws: Killed.self) {
            try first.run { metrics in
                reported.append(metrics)
                if metrics.epoch == 2 { throw Killed() }  // the process dies right after the report
            }
        }
        #expect(try Safetensors.read(path: files.state.path).metadata["epoch"] == "1")
        let resumed = try Trainer(resuming: files, data: data, epochs: 3)
        let rest = try Self.train(resumed)
        #expect(rest.map(\.epoch) == [2, 3])
        #expect(Self.comparable(Array(reported.prefix(1)) + rest) == Self.comparable(expected))
    }

    /// Continuing a run on data whose validation samples are others (changed files or split
    /// settings) would splice two different evaluations into one curve: refused.
    @Test func resumingOnOtherValidationSamplesIsRefused() throws {
        var data = Self.data()
        data.validationFingerprint = "00000000000000aa"
        let files = Self.temporaryFolder()
        _ = try Self.train(Trainer(model: Self.model(.lstm), options: Self.options(epochs: 1), data: data, files: files))
        #expect(throws: Never.self) { _ = try Trainer(resuming: files, data: data, epochs: 2) }
        data.validationFingerprint = "00000000000000bb"
        do {
            _ = try Trainer(resuming: files, data: data, epochs: 2)
            Issue.record("resumed on other validation samples")
        } catch {
            #expect(error.description.contains("00000000000000aa") && error.description.contains("00000000000000bb"), "\(error)")
        }
    }

    @Test func sameSeedRepeatsAndOtherSeedsDiffer() throws {
        let data = Self.data()
        let run = { (seed: UInt64) in
            try Self.comparable(Self.train(Trainer(model: Self.model(.lstm), options: Self.options(epochs: 2, seed: seed),
                                                   data: data, files: Self.temporaryFolder())))
        }
        let first = try run(3)
        #expect(try run(3) == first)
        #expect(try run(4) != first)
    }

    @Test func learnsTheSyntheticTaskAndWritesALoadableBestModel() throws {
        let files = Self.temporaryFolder()
        var options = Self.options(epochs: 12)
        options.metric = "val_accuracy"
        let trainer = try Trainer(model: Self.model(.lstm), options: options, data: Self.data(), files: files)
        let reports = try Self.train(trainer)
        let best = try #require(reports.map(\.validation.accuracy).max())
        #expect(best > 0.8, "best validation accuracy \(best)")
        #expect(reports.allSatisfy { $0.test != nil && $0.validation.rocAUC != nil })
        let file = try Safetensors.read(path: files.bestModel.path)
        #expect(file.metadata["class_names"] == #"["benign","flood","scan"]"#)
        #expect(file.metadata["scaler"] == "none")
        let configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(try #require(file.metadata["model_config"]).utf8))
        let model = try CNNLSTM(configuration: configuration)
        try model.parameters.load(file.tensors, path: files.bestModel.path)
        #expect(trainer.bestMetric == best)
    }

    @Test func divergenceIsReportedAsSuch() throws {
        var options = Self.options(epochs: 3)
        options.learningRate = 1e38  // weights overflow to infinity within a few steps
        options.clipNorm = nil
        let trainer = try Trainer(model: Self.model(.lstm), options: options, data: Self.data(), files: Self.temporaryFolder())
        #expect {
            try trainer.run { _ in }
        } throws: { error in
            if case TrainingError.diverged = error { return true }
            return false
        }
    }

    @Test func badSettingsAndDataAreNamed() throws {
        var options = Self.options(epochs: 1)
        options.metric = "val_f2"
        #expect(throws: TrainingError.self) {
            try Trainer(model: Self.model(.lstm), options: options, data: Self.data(), files: Self.temporaryFolder())
        }
        var data = Self.data()
        data.validation.labels[0] = 7
        #expect(throws: TrainingError.data("the validation split has label 7, outside the 3 classes")) {
            try Trainer(model: Self.model(.lstm), options: Self.options(epochs: 1), data: data, files: Self.temporaryFolder())
        }
        #expect(throws: TrainingError.self) {
            try Trainer(resuming: Self.temporaryFolder(), data: Self.data())
        }
    }
}
