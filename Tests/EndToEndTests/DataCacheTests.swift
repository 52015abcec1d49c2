import Foundation
import Testing
import TestSupport

/// `tune train` through the prepared-dataset cache, as trials use it: two trials started at once on
/// a missing prepared dataset prepare it once, and a run on mapped data trains exactly as one on
/// parsed data.
@Suite("Prepared dataset cache, end to end")
struct DataCacheTests {
    private func runFile(in folder: URL, data: URL, output: String) throws -> String {
        let path = folder.appendingPathComponent("\(output).json").path
        let text = """
            {"data": {"format": "nsl-kdd", "train": "\(data.appendingPathComponent("nsl-kdd/KDDTrain+_20Percent.txt").path)",
                      "binary": true, "max_per_class": 400},
             "variant": "lstm", "lstm_hidden": 16, "batch_size": 64, "epochs": 1, "output": "\(folder.appendingPathComponent(output).path)"}
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func twoTrialsStartedAtOnceOnAMissingDatasetPrepareItOnce() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("data-cache-race")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let files = try ["a", "b"].map { try runFile(in: folder, data: data, output: $0) }
        nonisolated(unsafe) var results: [TuneBinary.Result?] = [nil, nil]
        let resultsLock = NSLock()
        let group = DispatchGroup()
        for index in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let result = try? TuneBinary.run(binary, ["train", "--config", files[index], "--exit-before-first-step"],
                                                 environment: ["TUNE_DATA_CACHE": cache.path])
                resultsLock.withLock { results[index] = result }
            }
        }
        group.wait()
        let finished = results.compactMap { $0 }
        try #require(finished.count == 2)
        for result in finished { #expect(result.status == 0, "\(result.stderr)") }
        let prepared = finished.filter { $0.stderr.contains("data: prepared ") }.count
        let mapped = finished.filter { $0.stderr.contains("data: mapped the prepared dataset ") }.count
        #expect(prepared == 1 && mapped == 1, "\(finished.map(\.stderr))")
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(entries.filter { $0.hasSuffix(".tunedata") }.count == 1, "\(entries)")
        #expect(!entries.contains { $0.contains(".partial-") }, "\(entries)")
    }

    @Test func aRunOnMappedDataTrainsAsOneOnParsedData() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("data-cache-same")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["TUNE_DATA_CACHE": folder.appendingPathComponent("cache").path]
        func epochMetrics(_ arguments: [String], output: String) throws -> (metrics: NSDictionary, stderr: String) {
            let file = try runFile(in: folder, data: data, output: output)
            let result = try TuneBinary.run(binary, ["train", "--config", file] + arguments, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.jsonLines.first { $0["epoch"] != nil }, "\(result.stdout)")
            return (try #require(line["metrics"] as? NSDictionary), result.stderr)
        }
        let parsed = try epochMetrics(["--no-data-cache"], output: "parsed")
        let first = try epochMetrics([], output: "first")
        let mapped = try epochMetrics([], output: "mapped")
        #expect(!parsed.stderr.contains("prepared dataset") && first.stderr.contains("data: prepared "))
        #expect(mapped.stderr.contains("data: mapped the prepared dataset "))
        #expect(parsed.metrics == first.metrics && first.metrics == mapped.metrics)
    }
}
