import Foundation
import TestSupport
import Testing

/// `TUNE_GEMM` with the real binary: each implementation the CPU has runs when named (and
/// `tune bench speed` says which ran), and any other value is refused before any work.
@Suite("TUNE_GEMM, end to end")
struct GEMMChoiceTests {
    /// A benchmark small enough to take a few seconds (most of it the 3 s of inference).
    static let smallBenchmark = ["bench", "speed", "--variant", "lstm", "--channels", "2", "--seq", "16",
                                 "--hidden", "8", "--batch", "4", "--steps", "1", "--threads", "1"]

    /// The CPU's feature flags, from /proc/cpuinfo.
    static let cpuFlags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
    }()

    @Test func benchSpeedNamesTheKernelsItRan() throws {
        guard let binary = TuneBinary.locate() else { return }
        var choices = ["openblas"]
        if Self.cpuFlags.isSuperset(of: ["avx2", "fma"]) { choices.append("avx2") }
        if Self.cpuFlags.contains("avx512f") { choices.append("avx512") }
        for kernels in choices {
            let result = try TuneBinary.run(binary, Self.smallBenchmark, environment: ["TUNE_GEMM": kernels])
            #expect(result.status == 0, "\(kernels): \(result.stderr)")
            let line = try #require(result.jsonLines.last, "\(kernels): \(result.stdout)")
            #expect(line["kernels"] as? String == kernels, "\(line)")
            #expect(line["hidden"] as? Int == 8 && line["layers"] as? Int == 1, "\(line)")
        }
    }

    @Test func anUnknownValueIsAnErrorNamingTheVariable() throws {
        guard let binary = TuneBinary.locate() else { return }
        for value in ["avx", "mkl", "own"] {
            let result = try TuneBinary.run(binary, Self.smallBenchmark, environment: ["TUNE_GEMM": value])
            #expect(result.status == 2, "TUNE_GEMM=\(value): status \(result.status)")
            #expect(result.stdout.isEmpty, "TUNE_GEMM=\(value) still ran: \(result.stdout)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("TUNE_GEMM=\(value)")
                    && lines[0].contains("avx512, avx2, openblas"), "\(result.stderr)")
        }
        if !Self.cpuFlags.contains("avx512f") {
            let result = try TuneBinary.run(binary, Self.smallBenchmark, environment: ["TUNE_GEMM": "avx512"])
            #expect(result.status == 2 && result.stderr.contains("cannot run the avx512 kernels"), "\(result.stderr)")
        }
    }
}
