import FlowData
import Foundation
import TestSupport
import Testing

/// The loader's output on real data, bit for bit, against fingerprints recorded before the
/// start-up work (issue #7) rewrote encoding and scaling to skip the intermediate matrices:
/// every sample value, label, scaler centre and scale, and the class and feature names.
@Suite("Loader regression")
struct LoaderRegressionTests {
    /// A case: a name, how to build its spec from the data folder, and the recorded fingerprint.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let fingerprint: String
        let spec: @Sendable (URL) -> DataSpec
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "NSL-KDD binary, train + test, log-standard", fingerprint: "5e4d897696b8955a") { directory in
            var spec = DataSpec(format: .nslKDD)
            spec.train = [directory.appendingPathComponent("nsl-kdd/KDDTrain+_20Percent.txt").path]
            spec.test = [directory.appendingPathComponent("nsl-kdd/KDDTest+.txt").path]
            spec.binary = true
            return spec
        },
        Case(name: "NSL-KDD families, KDDTest+, robust, capped", fingerprint: "a25938d68896a8bb") { directory in
            var spec = DataSpec(format: .nslKDD)
            spec.train = [directory.appendingPathComponent("nsl-kdd/KDDTest+.txt").path]
            spec.scaler = ScalerChoice(kind: .robust, logTransform: false)
            spec.maxPerClass = 2000
            return spec
        },
        Case(name: "CIC-IDS2017 improved, windows of 8 every 4, log-minmax", fingerprint: "af61ca9388694127") { directory in
            var spec = DataSpec(format: .cicflowmeter)
            spec.train = [directory.appendingPathComponent("cicids2017-improved").path + "/*.csv"]
            spec.layout = .window
            spec.window = 8
            spec.stride = 4
            spec.scaler = ScalerChoice(kind: .minMax, logTransform: true)
            return spec
        },
        Case(name: "CIC-IDS2017 original format, NaN/inf rows, standard, test split", fingerprint: "5ddeb3dc60218da4") { directory in
            let folder = directory.appendingPathComponent("cicids2017-original-format").path
            var spec = DataSpec(format: .cicflowmeter)
            spec.train = [folder + "/f1.csv", folder + "/m1.csv", folder + "/th1.csv", folder + "/tu1.csv"]
            spec.test = [folder + "/f2.csv", folder + "/th2.csv"]
            spec.scaler = ScalerChoice(kind: .standard, logTransform: false)
            spec.binary = true
            return spec
        },
    ]

    @Test("loaded samples and scaler are unchanged", arguments: cases)
    func unchanged(_ testCase: Case) throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        var spec = testCase.spec(directory)
        spec.splitSeed = 7
        let data = try loadDataset(spec)
        let fingerprint = Self.fingerprint(data)
        #expect(fingerprint == testCase.fingerprint, "\(testCase.name): fingerprint \(fingerprint)")
    }

    @Test("prediction input prepared by a fitted pipeline is unchanged")
    func predictionInput() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        for (index, expected) in [(0, "40a3880cb9ad740c/11850/0"), (2, "ccfdab2233420496/183/0"), (3, "ebce4e4ad65bd8f5/995/4")] {
            var spec = Self.cases[index].spec(directory)
            spec.splitSeed = 7
            let data = try loadDataset(spec)
            let file = ["nsl-kdd/KDDTest-21.txt", "", "cicids2017-improved/Botnet_736.csv", "cicids2017-original-format/th2.csv"][index]
            let files = [directory.appendingPathComponent(file).path]
            let input = try data.pipeline.prepare(files: files)
            var prepared = data
            (prepared.train, prepared.validation, prepared.test) = (input.samples, input.samples, nil)
            let fingerprint = Self.fingerprint(prepared) + "/\(input.origins.count)/\(input.skippedRows.count)"
            #expect(fingerprint == expected, "\(Self.cases[index].name): prediction fingerprint \(fingerprint)")
        }
    }

    /// FNV-1a over everything the loader produces, as hex.
    static func fingerprint(_ data: PreparedData) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func add(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { hash = (hash ^ ((value >> UInt64(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3 }
        }
        func add(_ samples: SampleSet) {
            add(UInt64(samples.count))
            add(UInt64(samples.channels))
            add(UInt64(samples.length))
            for value in samples.values { add(UInt64(value.bitPattern)) }
            for label in samples.labels { add(UInt64(bitPattern: Int64(label))) }
        }
        add(data.train)
        add(data.validation)
        if let test = data.test { add(test) }
        for value in data.scaler.center + data.scaler.scale { add(value.bitPattern) }
        for name in data.classNames + data.featureNames { for byte in name.utf8 { add(UInt64(byte)) } }
        return String(hash, radix: 16)
    }
}
