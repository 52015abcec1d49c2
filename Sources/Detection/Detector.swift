#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowData
import Foundation
import Training

/// Scores flow records as they arrive, in micro-batches: a batch goes through the model when it
/// is full or `maxDelay` after its first record arrived, so throughput is high under load and
/// latency bounded when traffic is light. Writes one EVE-like JSON line per flow (or per alert)
/// to stdout, bad records and statistics to stderr.
public final class Detector {
    /// What a run did.
    public struct Summary: Sendable {
        public var flows: Int
        public var alerts: Int
        public var skipped: Int
    }

    /// A flow waiting in the batch.
    private struct PendingFlow {
        var arrival: Double
        var line: Int
        var identity: [(key: String, value: String)]
        var label: String?
    }

    private let predictor: Predictor
    private let options: DetectionOptions
    private var reader: LiveRecordReader
    private let inputName: String
    private let report: (String) -> Void
    private let featureCount: Int
    private let sampleSize: Int
    /// Flows per sample (the window layout's W, else 1) and flows between samples.
    private let window: Int
    private let stride: Int
    private let classCount: Int
    private let normalClass: Int?
    private var ring: [Float]           // (W, F): the last W flows of this file
    private var flowsInFile = 0
    private var batch: [Float]          // (maxBatch, C, L)
    private var probabilities: [Float]  // (maxBatch, K)
    private var pending: [PendingFlow] = []
    private var statistics: DetectionStatistics
    private var output: [UInt8] = []
    private var outputClosed = false
    private var lastSkipMessage = -Double.infinity
    private var skipsSinceMessage = 0

    /// A detector reading `inputName`'s records with `predictor`'s pipeline; `report` takes the
    /// lines meant for stderr. A threshold on a model without a normal class throws.
    public init(predictor: Predictor, options: DetectionOptions, inputName: String, report: @escaping (String) -> Void) throws {
        self.predictor = predictor
        self.options = options
        self.inputName = inputName
        self.report = report
        reader = try LiveRecordReader(pipeline: predictor.pipeline, format: options.format, source: inputName)
        let pipeline = predictor.pipeline
        featureCount = reader.featureCount
        sampleSize = pipeline.channels * pipeline.length
        window = pipeline.layout == .window ? pipeline.window : 1
        stride = pipeline.layout == .window ? max(1, pipeline.stride) : 1
        classCount = predictor.classNames.count
        normalClass = Self.normalClass(of: predictor)
        if options.threshold != nil, normalClass == nil {
            throw DataError.invalidSpec(
                field: "threshold",
                reason: "needs a model with a normal class; this one has \(predictor.classNames.joined(separator: ", "))")
        }
        ring = [Float](repeating: 0, count: window * featureCount)
        batch = [Float](repeating: 0, count: options.maxBatch * sampleSize)
        probabilities = [Float](repeating: 0, count: options.maxBatch * classCount)
        pending.reserveCapacity(options.maxBatch)
        statistics = DetectionStatistics(now: Self.now())
    }

    /// The class meaning benign traffic: `normal` in binary mode, the data's normal label, or a
    /// class named BENIGN or normal.
    private static func normalClass(of predictor: Predictor) -> Int? {
        let names = predictor.classNames.map { $0.lowercased() }
        let candidates = ([predictor.pipeline.normalLabel?.lowercased()].compactMap { $0 }) + ["normal", "benign"]
        for candidate in candidates { if let index = names.firstIndex(of: candidate) { return index } }
        return nil
    }

    /// Reads `input` until it ends or a stop signal arrives, then scores what is held and returns.
    public func run(_ input: FlowInput) throws -> Summary {
        var nextStatistics = Self.now() + options.statisticsInterval
        var firstArrival: Double? { pending.first?.arrival }
        loop: while !outputClosed {
            let now = Self.now()
            var timeout = 0.5
            if let first = firstArrival { timeout = min(timeout, first + options.maxDelay - now) }
            if options.statisticsInterval > 0 { timeout = min(timeout, nextStatistics - now) }
            var readLines = false
            switch input.next(timeout: max(0, timeout)) {
            case .newFile:
                try flush()
                reader.startFile()
                flowsInFile = 0
            case .lines(let bytes, let firstLine):
                readLines = true
                let arrival = Self.now()
                try reader.read(bytes, firstLine: firstLine) { record in try accept(record, arrival: arrival) }
            case .idle:
                break
            case .end, .stopped:
                break loop
            }
            // A batch past its deadline is scored once the input has nothing more ready: records
            // already waiting in the pipe join it first (a full batch is scored at once anyway),
            // so a busy input gets full batches and a quiet one its deadline.
            if !readLines, let first = firstArrival, Self.now() >= first + options.maxDelay { try flush() }
            if options.statisticsInterval > 0, Self.now() >= nextStatistics {
                report("tune detect: " + statistics.line(now: Self.now()))
                nextStatistics += options.statisticsInterval
            }
        }
        try flush()
        if skipsSinceMessage > 0 { report("tune detect: \(skipsSinceMessage) more \(skipsSinceMessage == 1 ? "record" : "records") skipped since the last message") }
        report("tune detect: " + statistics.line(now: Self.now()))
        return Summary(flows: statistics.totalFlows, alerts: statistics.totalAlerts, skipped: statistics.totalSkipped)
    }

    // MARK: - Records to samples

    private func accept(_ record: LiveRecordReader.Record, arrival: Double) throws {
        if let problem = record.problem {
            skip(line: record.line, problem: problem)
            return
        }
        let slot = pending.count
        if window == 1 {
            batch.withUnsafeMutableBufferPointer { batch in
                guard let target = batch.baseAddress, let source = record.features.baseAddress else { return }
                (target + slot * sampleSize).update(from: source, count: featureCount)
            }
        } else {
            // Windows `(F, W)` of one file's flows, a new one every `stride` flows, labelled by
            // their last flow, as `tune predict` and training cut them.
            let position = flowsInFile % window
            ring.withUnsafeMutableBufferPointer { ring in
                guard let target = ring.baseAddress, let source = record.features.baseAddress else { return }
                (target + position * featureCount).update(from: source, count: featureCount)
            }
            flowsInFile += 1
            guard flowsInFile >= window, (flowsInFile - window) % stride == 0 else { return }
            let oldest = flowsInFile - window
            for step in 0..<window {
                let row = ((oldest + step) % window) * featureCount
                for feature in 0..<featureCount {
                    batch[slot * sampleSize + feature * window + step] = ring[row + feature]
                }
            }
        }
        pending.append(PendingFlow(arrival: arrival, line: record.line, identity: record.identity, label: record.label))
        if pending.count == options.maxBatch { try flush() }
    }

    /// Says once a second at most which record was skipped and why, counting the others.
    private func skip(line: Int, problem: RecordProblem) {
        statistics.skippedRecord()
        let now = Self.now()
        guard now - lastSkipMessage >= 1 else {
            skipsSinceMessage += 1
            return
        }
        let others = skipsSinceMessage > 0 ? " (and \(skipsSinceMessage) more skipped since the last message)" : ""
        report("tune detect: \(inputName) line \(line): \(problem); record skipped\(others)")
        lastSkipMessage = now
        skipsSinceMessage = 0
    }

    // MARK: - Scoring

    /// Scores the batch held and writes its lines.
    private func flush() throws {
        let count = pending.count
        guard count > 0 else { return }
        let started = Self.now()
        try batch.withUnsafeBufferPointer { samples in
            try probabilities.withUnsafeMutableBufferPointer { target in
                guard let samples = samples.baseAddress, let target = target.baseAddress else { return }
                try predictor.probabilities(of: samples, count: count, into: target)
            }
        }
        let scored = Self.now()
        let time = Date()
        probabilities.withUnsafeBufferPointer { probabilities in
            for (index, flow) in pending.enumerated() {
                let row = UnsafeBufferPointer(rebasing: probabilities[(index * classCount)..<((index + 1) * classCount)])
                let predicted = row.indices.max { row[$0] < row[$1] } ?? 0
                let attackProbability = normalClass.map { 1 - Double(row[$0]) }
                let alert: Bool
                if let threshold = options.threshold, let attackProbability {
                    alert = attackProbability >= threshold
                } else {
                    alert = normalClass.map { predicted != $0 } ?? false
                }
                let latency = scored - flow.arrival
                statistics.scored(latency: latency, alert: alert)
                guard alert || !options.alertsOnly else { continue }
                let event = DetectionEvent(
                    time: time, identity: flow.identity, source: "\(inputName) line \(flow.line)",
                    predicted: predictor.classNames[predicted], classNames: predictor.classNames, probabilities: row,
                    attackProbability: attackProbability, alert: alert, label: flow.label, latency: latency,
                    modelSeconds: scored - started, batchSize: count)
                output.append(contentsOf: event.line().utf8)
            }
        }
        pending.removeAll(keepingCapacity: true)
        writeOutput()
    }

    /// Writes the lines held to stdout; a closed stdout ends the run.
    private func writeOutput() {
        var written = 0
        output.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            while written < bytes.count {
                let count = write(1, base + written, bytes.count - written)
                if count < 0, errno == EINTR { continue }
                if count <= 0 {
                    outputClosed = true
                    return
                }
                written += count
            }
        }
        output.removeAll(keepingCapacity: true)
    }

    /// Seconds on a monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
