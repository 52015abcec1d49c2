import Foundation

/// Measures the training part of a run from the trainer's callbacks: an epoch's training time
/// runs from the end of the previous epoch's report (or `start()`) to its last training batch,
/// so evaluation and checkpoint writing are left out.
final class VariantBenchmarkClock {
    private var segmentStart: UInt64 = 0
    private var lastBatchEnd: UInt64?
    private var epochSamples = 0
    private(set) var trainingNanoseconds: UInt64 = 0
    private(set) var trainingSamples = 0

    /// Marks the start of the first epoch.
    func start() {
        segmentStart = DispatchTime.now().uptimeNanoseconds
    }

    /// The trainer's `onBatch`: `done` samples of the epoch are trained.
    func batchFinished(done: Int) {
        lastBatchEnd = DispatchTime.now().uptimeNanoseconds
        epochSamples = done
    }

    /// Called at the end of an epoch's report: books the epoch and starts the next segment.
    func epochFinished() {
        if let lastBatchEnd, lastBatchEnd > segmentStart {
            trainingNanoseconds += lastBatchEnd - segmentStart
        }
        trainingSamples += epochSamples
        epochSamples = 0
        lastBatchEnd = nil
        segmentStart = DispatchTime.now().uptimeNanoseconds
    }

    var trainingSeconds: Double { Double(trainingNanoseconds) / 1e9 }
}
