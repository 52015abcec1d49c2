import ArgumentParser
import Detection
import FlowData
import Foundation
import Training

/// `tune detect`: scores live flow records with a trained model.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Score flow records as they arrive, with a model trained by `tune train`.",
        discussion: """
            Reads records from stdin or a file (--follow keeps reading as a flow exporter appends, \
            like tail -F, through rotation and truncation), prepares them with the model's stored \
            pipeline, scores them in micro-batches (full, or --max-delay after the first record) \
            and writes one EVE-like JSON line per flow (event_type "alert" or "flow") to stdout. \
            Bad records are skipped and reported on stderr with their line; a statistics line \
            follows every --stats-interval seconds. SIGINT and SIGTERM score what is held and exit 0.
            """)

    @Option(help: "A checkpoint written by `tune train` (best.safetensors).") var model: String
    @Option(help: "The file to read, or - for stdin.") var input = "-"
    @Flag(help: "Keep reading the file as it grows, across rotation and truncation (tail -F).") var follow = false
    @Option(help: "The records' format when not the model's: \(DataFormat.allCases.filter(\.isFlowRecords).map(\.rawValue).joined(separator: ", ")).")
    var format: String?
    @Option(help: "Alert when the probability of attack is at least this (default: when the predicted class is not normal).")
    var threshold: Double?
    @Flag(help: "Write alerts only.") var alertsOnly = false
    @Option(help: "Score a batch at most this many milliseconds after its first record arrived.") var maxDelay = 50.0
    @Option(help: "Records per batch at most.") var maxBatch = 256
    @Option(help: "Seconds between statistics lines on stderr (0: only at the end).") var statsInterval = 10.0
    @Option(help: "BLAS threads.") var threads = 1

    func validate() throws {
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        if !(maxDelay >= 0) { throw ValidationError("--max-delay must be at least 0 ms, got \(maxDelay)") }
        if maxBatch < 1 { throw ValidationError("--max-batch must be at least 1, got \(maxBatch)") }
        if !(statsInterval >= 0) { throw ValidationError("--stats-interval must be at least 0 s, got \(statsInterval)") }
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if follow && input == "-" { throw ValidationError("--follow needs --input FILE (stdin is read to its end anyway)") }
        if let format {
            guard let parsed = DataFormat(rawValue: format), parsed.isFlowRecords else {
                throw ValidationError("--format '\(format)' is not a flow-record format; use one of \(DataFormat.allCases.filter(\.isFlowRecords).map(\.rawValue).joined(separator: ", "))")
            }
        }
    }

    func run() throws {
        var options = DetectionOptions()
        options.threshold = threshold
        options.alertsOnly = alertsOnly
        options.maxDelay = maxDelay / 1000
        options.maxBatch = maxBatch
        options.statisticsInterval = statsInterval
        options.format = format.flatMap(DataFormat.init(rawValue:))
        let predictor = try Predictor(checkpoint: model, threads: threads)
        let stop = StopSignal.install()
        let source = try FlowInput(path: input, follow: follow, stopFD: stop)
        let detector = try Detector(predictor: predictor, options: options, inputName: source.name, report: printError)
        let summary = try detector.run(source)
        printError("tune detect: scored \(summary.flows) flows, \(summary.alerts) alerts, \(summary.skipped) records skipped")
    }
}
