import FlowData
import Foundation
import NN
import Tensor
import Testing
import Training
import TrialProtocol

/// Guards the speed work (own GEMM kernels, fused passes, threading): a fixed small run of two
/// epochs per variant must report the losses and metrics recorded from the code before any of it
/// changed (commit 0d63b32's layers on OpenBLAS 0.3.21 sgemm, PRESCOTT kernel).
///
/// Tolerances. A different GEMM (blocking, FMA, summation order) or vectorised elementwise pass
/// rounds differently, so bit equality cannot hold; what matters is how far rounding alone moves
/// each number. Measured on this exact run (OpenBLAS PRESCOTT vs Haswell kernels via
/// OPENBLAS_CORETYPE, a pure rounding change; and the speed work on both GEMM paths):
/// - training loss (batch statistics): at most 6.3e-7 relative; checked to 2e-5.
/// - validation and test loss (evaluation mode): up to 8e-4 relative; checked to 5e-3. The
///   convolution biases feed a training-mode BatchNorm, so their gradient is pure rounding noise,
///   which Adam scales up to steps of the full learning rate; training cancels them, but the
///   running means that evaluation uses lag behind. PyTorch has the same property.
/// - ranks and argmaxes: after the first epoch the models are near uniform (validation loss close
///   to ln 3), so ROC-AUC moved by up to 4.6e-3 and three or four predictions flipped. They are
///   checked after the last epoch only: ROC-AUC within 0.01, each confusion matrix at most two
///   samples away from the recorded one.
/// A real change in the arithmetic (a wrong gate, a missed bias, a dropped gradient term) moves the
/// training loss by far more than 2e-5 within the twelve steps.
@Suite("Training regression")
struct TrainingRegressionTests {
    /// What one epoch must reproduce.
    struct Recorded {
        var trainLoss: Double
        var validationLoss: Double
        var testLoss: Double
        var validationAUC: Double
        var validationConfusion: [[Int]]
        var testConfusion: [[Int]]
    }

    static let trainingLossTolerance = 2e-5
    static let evaluationTolerance = 5e-3
    static let aucTolerance = 0.01
    static let flippedSamplesAllowed = 2

    /// Three classes told apart by which channel carries a bump at a class-specific place, plus noise.
    static func data() -> TrainingData {
        ToyTraffic(seed: 11, channels: 4, length: 32, noise: 0.7, bumpHeight: 1.0, bump: { (6 + 4 * $0)..<(14 + 4 * $0) })
            .data(train: 192, validation: 63, test: 63)
    }

    static func model(_ variant: ModelConfiguration.Variant) -> ModelConfiguration {
        var configuration = ModelConfiguration(inputChannels: 4, classCount: 3, variant: variant)
        configuration.convChannels = [24, 40]   // odd widths: GEMM edge tiles in every product
        configuration.lstmHidden = 20
        configuration.heads = 2
        configuration.headDim = 12
        configuration.dropout = 0.2
        return configuration
    }

    static func options() -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = 2
        options.batchSize = 32
        options.learningRate = 3e-3
        options.seed = 5
        return options
    }

    /// Recorded from the code before the speed work; see the type's comment for the tolerances.
    static let recorded: [ModelConfiguration.Variant: [Recorded]] = [
        .lstm: [
            Recorded(trainLoss: 1.1015164653460185, validationLoss: 1.093676591676379, testLoss: 1.0912980125063942,
                     validationAUC: 0.6628873771730915,
                     validationConfusion: [[0, 0, 21], [0, 0, 21], [0, 0, 21]],
                     testConfusion: [[0, 0, 21], [0, 0, 21], [0, 0, 21]]),
            Recorded(trainLoss: 1.025935063759486, validationLoss: 1.0494718362414648, testLoss: 1.0451815639223372,
                     validationAUC: 0.8004535147392291,
                     validationConfusion: [[8, 9, 4], [3, 15, 3], [1, 5, 15]],
                     testConfusion: [[5, 15, 1], [1, 17, 3], [1, 6, 14]]),
        ],
        .bilstm: [
            Recorded(trainLoss: 1.0978050033251445, validationLoss: 1.0990846421983507, testLoss: 1.0928296929314023,
                     validationAUC: 0.490551776266062,
                     validationConfusion: [[13, 0, 8], [16, 0, 5], [17, 0, 4]],
                     testConfusion: [[18, 0, 3], [15, 0, 6], [12, 0, 9]]),
            Recorded(trainLoss: 1.0364778439203899, validationLoss: 1.0724824496677943, testLoss: 1.0616007116105821,
                     validationAUC: 0.671201814058957,
                     validationConfusion: [[11, 3, 7], [1, 13, 7], [3, 13, 5]],
                     testConfusion: [[14, 3, 4], [1, 15, 5], [3, 9, 9]]),
        ],
        .attention: [
            Recorded(trainLoss: 0.8869226078192393, validationLoss: 1.0453537305196126, testLoss: 1.0400637293618822,
                     validationAUC: 0.9504913076341648,
                     validationConfusion: [[8, 7, 6], [0, 16, 5], [0, 0, 21]],
                     testConfusion: [[8, 6, 7], [0, 18, 3], [0, 0, 21]]),
            Recorded(trainLoss: 0.49398208657900494, validationLoss: 0.8326432846841358, testLoss: 0.8108147562496246,
                     validationAUC: 0.9867724867724869,
                     validationConfusion: [[16, 2, 3], [0, 19, 2], [1, 0, 20]],
                     testConfusion: [[18, 3, 0], [0, 20, 1], [0, 0, 21]]),
        ],
    ]

    /// The GEMM implementations this machine can run: the run must reproduce on each.
    static let implementations = BLAS.Kernels.available

    @Test(arguments: ModelConfiguration.Variant.allCases, implementations)
    func twoEpochsReproduceTheRecordedRun(variant: ModelConfiguration.Variant, implementation: BLAS.Kernels) throws {
        try BLAS.$kernelsOverride.withValue(implementation) { try reproduce(variant: variant) }
    }

    func reproduce(variant: ModelConfiguration.Variant) throws {
        let files = RunFiles(directory: FileManager.default.temporaryDirectory
            .appendingPathComponent("tune-regression-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let trainer = try Trainer(model: Self.model(variant), options: Self.options(), data: Self.data(), files: files)
        var reports: [EpochMetrics] = []
        try trainer.run { reports.append($0) }
        let actual = reports.map { report in
            Recorded(trainLoss: report.trainLoss, validationLoss: report.validationLoss,
                     testLoss: report.testLoss ?? .nan, validationAUC: report.validation.rocAUC ?? .nan,
                     validationConfusion: report.validation.confusionMatrix,
                     testConfusion: report.test?.confusionMatrix ?? [])
        }
        let expected = try #require(Self.recorded[variant], "no recorded run for \(variant): \(Self.literal(actual))")
        try #require(actual.count == expected.count, "\(actual.count) epochs, recorded \(expected.count)")
        for (epoch, (got, want)) in zip(actual, expected).enumerated() {
            let label = "\(variant) epoch \(epoch + 1)"
            let pairs = [("train_loss", got.trainLoss, want.trainLoss, Self.trainingLossTolerance),
                         ("val_loss", got.validationLoss, want.validationLoss, Self.evaluationTolerance),
                         ("test_loss", got.testLoss, want.testLoss, Self.evaluationTolerance)]
            for (name, value, reference, tolerance) in pairs {
                let relative = abs(value - reference) / max(abs(reference), 1e-12)
                #expect(relative <= tolerance, "\(label) \(name): \(value) vs recorded \(reference) (relative \(relative))")
            }
            guard epoch == expected.count - 1 else { continue }  // ranks and argmaxes: last epoch only
            #expect(abs(got.validationAUC - want.validationAUC) <= Self.aucTolerance,
                    "\(label) val_roc_auc: \(got.validationAUC) vs recorded \(want.validationAUC)")
            for (split, matrix, reference) in [("validation", got.validationConfusion, want.validationConfusion),
                                               ("test", got.testConfusion, want.testConfusion)] {
                let moved = Self.flippedSamples(matrix, reference)
                #expect(moved <= Self.flippedSamplesAllowed, "\(label) \(split) confusion \(matrix) vs recorded \(reference)")
            }
        }
    }

    /// How many samples changed cell between two confusion matrices of the same split.
    static func flippedSamples(_ matrix: [[Int]], _ reference: [[Int]]) -> Int {
        guard matrix.count == reference.count else { return Int.max }
        var difference = 0
        for (row, referenceRow) in zip(matrix, reference) {
            guard row.count == referenceRow.count else { return Int.max }
            for (value, referenceValue) in zip(row, referenceRow) { difference += abs(value - referenceValue) }
        }
        return difference / 2
    }

    /// Our kernels split products and the LSTM's batch over threads so that every value is summed
    /// in the same order whatever the split: two threads must give the very same bits as one.
    /// Runs on each of our own kernels the CPU has: OpenBLAS's threads change the sums.
    @Test(arguments: ModelConfiguration.Variant.allCases, BLAS.Kernels.available.filter(\.isOwn))
    func twoThreadsGiveTheSameBitsAsOne(variant: ModelConfiguration.Variant, implementation: BLAS.Kernels) throws {
        func run(threads: Int) throws -> [EpochMetrics] {
            var options = Self.options()
            options.threads = threads
            let files = RunFiles(directory: FileManager.default.temporaryDirectory
                .appendingPathComponent("tune-regression-\(UUID().uuidString)"))
            defer { try? FileManager.default.removeItem(at: files.directory) }
            let trainer = try Trainer(model: Self.model(variant), options: options, data: Self.data(), files: files)
            var reports: [EpochMetrics] = []
            try BLAS.$kernelsOverride.withValue(implementation) { try trainer.run { reports.append($0) } }
            return reports.map { var report = $0; report.seconds = 0; return report }
        }
        #expect(try run(threads: 2) == run(threads: 1))
    }

    /// A thread request written while the run trains (as the coordinator does when the trial
    /// is left alone) changes the threads from the next batch on, and no result.
    @Test(arguments: BLAS.Kernels.available.filter(\.isOwn))
    func aThreadRequestMidRunChangesTheThreadsNotTheResults(implementation: BLAS.Kernels) throws {
        func run(requestingTwoThreadsAtBatch requestBatch: Int?) throws -> (reports: [EpochMetrics], threads: Int?) {
            var options = Self.options()
            options.threads = 1
            let files = RunFiles(directory: FileManager.default.temporaryDirectory
                .appendingPathComponent("tune-regression-\(UUID().uuidString)"))
            defer { try? FileManager.default.removeItem(at: files.directory) }
            let trainer = try Trainer(model: Self.model(.attention), options: options, data: Self.data(), files: files)
            let request = files.directory.appendingPathComponent("threads")
            trainer.threadRequests = request
            var batches = 0
            trainer.onBatch = { _, _ in
                batches += 1
                if batches == requestBatch { try? ThreadRequest.write(2, to: request) }
            }
            var reports: [EpochMetrics] = []
            try BLAS.$kernelsOverride.withValue(implementation) { try trainer.run { reports.append($0) } }
            return (reports.map { var report = $0; report.seconds = 0; return report }, trainer.requestedThreads)
        }
        let steady = try run(requestingTwoThreadsAtBatch: nil)
        let changed = try run(requestingTwoThreadsAtBatch: 2)
        #expect(steady.threads == nil && changed.threads == 2)
        #expect(changed.reports == steady.reports)
    }

    /// The Swift literal of a run, printed when a variant has no recording yet.
    static func literal(_ run: [Recorded]) -> String {
        let epochs = run.map { epoch in
            "Recorded(trainLoss: \(epoch.trainLoss), validationLoss: \(epoch.validationLoss), "
                + "testLoss: \(epoch.testLoss), validationAUC: \(epoch.validationAUC), "
                + "validationConfusion: \(epoch.validationConfusion), testConfusion: \(epoch.testConfusion))"
        }
        return "[\n" + epochs.joined(separator: ",\n") + "]"
    }
}
