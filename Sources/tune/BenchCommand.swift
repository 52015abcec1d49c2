import ArgumentParser
import Foundation
import NN
import Training

/// `tune bench ...`: benchmarks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the model variants.",
        subcommands: [SpeedCommand.self])
}

/// `tune bench speed`: training and inference throughput, one JSON line per variant, in the
/// fields of ../shared/bench/torch_reference.py.
struct SpeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "Measure training and inference throughput of each variant on random input.",
        discussion: """
            Prints one JSON line per variant with the same fields as the PyTorch reference \
            (../shared/bench/torch_reference.py), so both can be compared on one machine.
            """)

    @Option(help: "Variant to measure: lstm, bilstm or attention (attn). Default: all three.")
    var variant: String?
    @Option(help: "Features per time step (C).") var channels = 6
    @Option(help: "Time steps per sample (L).") var seq = 128
    @Option(help: "Number of classes.") var classes = 2
    @Option(help: "Training batch size.") var batch = 64
    @Option(help: "Timed training steps (after 3 warm-up steps).") var steps = 30
    @Option(help: "BLAS threads.") var threads = 2

    func validate() throws {
        if let variant, Self.parseVariant(variant) == nil {
            throw ValidationError("--variant must be lstm, bilstm or attention, not '\(variant)'")
        }
        for (name, value) in [("channels", channels), ("seq", seq), ("batch", batch), ("steps", steps), ("threads", threads)]
        where value < 1 {
            throw ValidationError("--\(name) must be at least 1, got \(value)")
        }
        if classes < 2 { throw ValidationError("--classes must be at least 2, got \(classes)") }
    }

    static func parseVariant(_ text: String) -> ModelConfiguration.Variant? {
        text == "attn" ? .attention : ModelConfiguration.Variant(rawValue: text)
    }

    func run() throws {
        let variants = variant.flatMap(Self.parseVariant).map { [$0] } ?? ModelConfiguration.Variant.allCases
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for variant in variants {
            var benchmark = SpeedBenchmark()
            benchmark.variant = variant
            benchmark.channels = channels
            benchmark.sequenceLength = seq
            benchmark.classes = classes
            benchmark.batchSize = batch
            benchmark.steps = steps
            benchmark.threads = threads
            let result: SpeedBenchmark.Result
            do {
                result = try benchmark.run()
            } catch let error as ModelError {
                throw ValidationError(error.description)
            }
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}
