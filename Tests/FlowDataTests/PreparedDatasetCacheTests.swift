import FlowData
import Foundation
import Testing
import TestSupport

/// The prepared-dataset cache: a second load maps exactly the samples the parser made; a
/// truncated, altered or foreign file and a changed input are noticed and the data prepared again.
@Suite("Prepared dataset cache")
struct PreparedDatasetCacheTests {
    /// A generic CSV of `rows` flows: three numeric features, a symbolic one and two classes.
    private func writeFlows(_ directory: TemporaryDirectory, rows: Int, seed: Int = 0, name: String = "flows.csv") throws -> String {
        var text = "duration,bytes,packets,protocol,label\n"
        for row in 0..<rows {
            let attack = (row + seed) % 3 == 0
            text += "\(row % 17),\((row * 7919 + seed) % 5000),\(row % 5 + (attack ? 20 : 1)),\(row % 2 == 0 ? "tcp" : "udp"),\(attack ? "attack" : "normal")\n"
        }
        return try directory.write(text, to: name)
    }

    private func spec(_ path: String, scaler: ScalerChoice.Kind = .standard) -> DataSpec {
        var spec = DataSpec(format: .csv)
        spec.train = [path]
        spec.label = "label"
        spec.symbolic = ["protocol"]
        spec.scaler = ScalerChoice(kind: scaler, logTransform: false)
        return spec
    }

    private func expectSameData(_ mapped: PreparedData, _ parsed: PreparedData) {
        #expect(mapped.train == parsed.train)
        #expect(mapped.validation == parsed.validation)
        #expect(mapped.test == parsed.test)
        #expect(mapped.classNames == parsed.classNames)
        #expect(mapped.featureNames == parsed.featureNames)
        #expect(mapped.pipeline == parsed.pipeline)
        #expect(mapped.summary == parsed.summary)
        #expect(mapped.validationFingerprint == parsed.validationFingerprint)
        #expect(mapped.testFingerprint == parsed.testFingerprint)
    }

    private func preparedPath(_ use: PreparedDatasetCache.Use?) throws -> String {
        switch try #require(use) {
        case .prepared(let path, _), .reused(let path): return path
        case .unavailable(let reason): Issue.record("cache unavailable: \(reason)"); return ""
        }
    }

    @Test func theSecondLoadMapsTheSamplesTheParserMade() throws {
        let directory = try TemporaryDirectory()
        let flows = try writeFlows(directory, rows: 400)
        let cache = PreparedDatasetCache(directory: directory.url.appendingPathComponent("cache"))
        let parsed = try loadDataset(spec(flows))
        let first = try loadDataset(spec(flows), cache: cache)
        guard case .prepared(_, nil)? = first.cacheUse else { Issue.record("first load: \(String(describing: first.cacheUse))"); return }
        let second = try loadDataset(spec(flows), cache: cache)
        guard case .reused? = second.cacheUse else { Issue.record("second load: \(String(describing: second.cacheUse))"); return }
        #expect(second.data.train.values.isMapped && second.data.validation.values.isMapped)
        expectSameData(first.data, parsed)
        expectSameData(second.data, parsed)
        // Another scaler is another prepared dataset.
        let robust = try loadDataset(spec(flows, scaler: .robust), cache: cache)
        guard case .prepared(let robustPath, nil)? = robust.cacheUse else { Issue.record("robust: \(String(describing: robust.cacheUse))"); return }
        #expect(try robustPath != preparedPath(second.cacheUse))
    }

    @Test("real NSL-KDD with its test set: mapped equals parsed")
    func nslKDDWithTestSet() throws {
        guard let data = TestEnvironment.dataDirectory() else { return }
        let directory = try TemporaryDirectory()
        var spec = DataSpec(format: .nslKDD)
        spec.train = [data.appendingPathComponent("nsl-kdd/KDDTrain+_20Percent.txt").path]
        spec.test = [data.appendingPathComponent("nsl-kdd/KDDTest+.txt").path]
        spec.binary = true
        let cache = PreparedDatasetCache(directory: directory.url)
        _ = try loadDataset(spec, cache: cache)
        let mapped = try loadDataset(spec, cache: cache)
        guard case .reused? = mapped.cacheUse else { Issue.record("\(String(describing: mapped.cacheUse))"); return }
        expectSameData(mapped.data, try loadDataset(spec))
    }

    /// Damage done to the file between two loads, and the words the rebuild gives for it.
    static let damages: [(name: String, reason: String, damage: @Sendable (inout [UInt8]) -> Void)] = [
        ("truncated", "truncated", { bytes in bytes.removeLast(bytes.count / 3) }),
        ("one sample byte flipped", "checksum", { bytes in bytes[bytes.count - 200] ^= 0x40 }),
        ("header byte flipped", "header checksum", { bytes in bytes[40] ^= 0x01 }),
        ("not a prepared file", "magic", { bytes in bytes = Array("duration,bytes\n".utf8) }),
        ("empty", "magic", { bytes in bytes = [] }),
    ]

    @Test(arguments: 0..<damages.count)
    func aDamagedFileIsPreparedAgainNotTrusted(damageIndex: Int) throws {
        let damage = Self.damages[damageIndex]
        let directory = try TemporaryDirectory()
        let flows = try writeFlows(directory, rows: 300)
        let cache = PreparedDatasetCache(directory: directory.url.appendingPathComponent("cache"))
        let path = try preparedPath(try loadDataset(spec(flows), cache: cache).cacheUse)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        damage.damage(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let again = try loadDataset(spec(flows), cache: cache)
        guard case .prepared(let newPath, let reason?)? = again.cacheUse else {
            Issue.record("\(damage.name): \(String(describing: again.cacheUse))")
            return
        }
        #expect(newPath == path)
        #expect(reason.contains(damage.reason), "\(damage.name): \(reason)")
        expectSameData(again.data, try loadDataset(spec(flows)))
        guard case .reused? = try loadDataset(spec(flows), cache: cache).cacheUse else {
            Issue.record("\(damage.name): the rebuilt file is not reused")
            return
        }
    }

    @Test func aChangedInputIsNoticedAndATouchedOneIsNot() throws {
        let directory = try TemporaryDirectory()
        let flows = try writeFlows(directory, rows: 300)
        let cache = PreparedDatasetCache(directory: directory.url.appendingPathComponent("cache"))
        _ = try loadDataset(spec(flows), cache: cache)
        // Same bytes, new modification time: hashed again, found equal, reused.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: flows)
        guard case .reused? = try loadDataset(spec(flows), cache: cache).cacheUse else {
            Issue.record("a touched input made the cache prepare again")
            return
        }
        // Other rows, same size: prepared again, with the new rows.
        try writeFlows(directory, rows: 300, seed: 1)
        let changed = try loadDataset(spec(flows), cache: cache)
        guard case .prepared(_, let reason?)? = changed.cacheUse else {
            Issue.record("a changed input was not noticed: \(String(describing: changed.cacheUse))")
            return
        }
        #expect(reason.contains("changed"))
        expectSameData(changed.data, try loadDataset(spec(flows)))
    }

    @Test func anUnwritableCacheFolderStillLoadsTheData() throws {
        let directory = try TemporaryDirectory()
        let flows = try writeFlows(directory, rows: 200)
        let blocker = try directory.write("a file, not a folder", to: "cache")
        let cache = PreparedDatasetCache(directory: URL(fileURLWithPath: blocker).appendingPathComponent("inner"))
        let loaded = try loadDataset(spec(flows), cache: cache)
        guard case .unavailable? = loaded.cacheUse else { Issue.record("\(String(describing: loaded.cacheUse))"); return }
        expectSameData(loaded.data, try loadDataset(spec(flows)))
    }

    @Test func theStandardFolderFollowsTheEnvironment() {
        #expect(PreparedDatasetCache.standard(environment: ["TUNE_DATA_CACHE": "/a/b", "HOME": "/h"]).directory.path == "/a/b")
        #expect(PreparedDatasetCache.standard(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).directory.path == "/x/tune/datasets")
        #expect(PreparedDatasetCache.standard(environment: ["HOME": "/h"]).directory.path == "/h/.cache/tune/datasets")
    }
}
