import FlowData
import Foundation
import TestSupport
import Testing

/// Load-time figures for the "well under a second" (benchmarks, not timed assertions):
/// run with `TUNE_DATA_TIMING=1 swift test -c release --filter LoadTiming` to print them.
@Suite("Load timing")
struct LoadTimingTests {
    @Test("loadDataset wall time on CIC-IDS2017 improved and NSL-KDD KDDTest+",
          .enabled(if: ProcessInfo.processInfo.environment["TUNE_DATA_TIMING"] == "1"))
    func timings() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        var cic = DataSpec(format: .cicflowmeter)
        cic.train = [directory.appendingPathComponent("cicids2017-improved").path + "/*.csv"]
        var kdd = DataSpec(format: .nslKDD)
        kdd.train = [directory.appendingPathComponent("nsl-kdd/KDDTest+.txt").path]
        var kddBoth = DataSpec(format: .nslKDD)
        kddBoth.train = [directory.appendingPathComponent("nsl-kdd/KDDTrain+_20Percent.txt").path]
        kddBoth.test = [directory.appendingPathComponent("nsl-kdd/KDDTest+.txt").path]
        for (name, spec) in [("CIC-IDS2017 improved, 25,127 flows", cic), ("NSL-KDD KDDTest+, 22,544 records", kdd),
                             ("NSL-KDD train 25,192 + test 22,544", kddBoth)] {
            var best = Duration.seconds(1000)
            for _ in 0..<5 {
                let start = ContinuousClock.now
                let data = try loadDataset(spec)
                best = min(best, ContinuousClock.now - start)
                #expect(data.train.count > 0)
            }
            print("load timing: \(name): best of 5 \(best.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))")
        }
    }
}
