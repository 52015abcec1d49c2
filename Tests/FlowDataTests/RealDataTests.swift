import FlowData
import Foundation
import TestSupport
import Testing

/// Tests on the real data sets in ../shared/data (skipped with a message when absent, failing
/// under CI=true). Expected numbers come from ../shared/data/README.md and, where the README is
/// silent (constant columns, rows with Infinity), from a pandas/csv count of the same files.
@Suite("Real data")
struct RealDataTests {
    /// The class counts of a split.
    private func counts(_ samples: SampleSet, _ classNames: [String]) -> [String: Int] {
        var result: [String: Int] = [:]
        for (name, count) in zip(classNames, samples.classCounts(classCount: classNames.count)) where count > 0 {
            result[name] = count
        }
        return result
    }

    private func merged(_ parts: SampleSet?...) -> (count: Int, classes: [Int]) {
        var classes: [Int] = []
        var count = 0
        for part in parts.compactMap({ $0 }) {
            count += part.count
            let perClass = part.classCounts(classCount: Int(part.labels.max() ?? 0) + 1)
            if classes.count < perClass.count { classes += [Int](repeating: 0, count: perClass.count - classes.count) }
            for (index, value) in perClass.enumerated() { classes[index] += value }
        }
        return (count, classes)
    }

    @Test("NSL-KDD: row, field and class counts of the three files")
    func nslKDDCounts() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        let folder = directory.appendingPathComponent("nsl-kdd").path
        var spec = DataSpec(format: .nslKDD)
        spec.families = false
        spec.train = ["\(folder)/KDDTrain+_20Percent.txt"]
        spec.test = ["\(folder)/KDDTest+.txt"]
        spec.valFraction = 0.2
        let data = try loadDataset(spec)
        #expect(data.summary.train.rowsRead == 25_192)
        #expect(data.summary.test?.rowsRead == 22_544)
        #expect(data.summary.train.nonFiniteRowsDropped == 0)
        #expect(data.classNames.count == 22)
        var trainCounts = counts(data.train, data.classNames)
        for (name, count) in counts(data.validation, data.classNames) { trainCounts[name, default: 0] += count }
        #expect(trainCounts["normal"] == 13_449)
        #expect(trainCounts["neptune"] == 8_282)
        #expect(trainCounts["ipsweep"] == 710)
        #expect(trainCounts["satan"] == 691)
        #expect(trainCounts["portsweep"] == 587)
        #expect(trainCounts["smurf"] == 529)
        #expect(trainCounts["nmap"] == 301)
        #expect(trainCounts["back"] == 196)
        #expect(trainCounts["teardrop"] == 188)
        #expect(trainCounts["warezclient"] == 181)
        #expect(trainCounts.values.reduce(0, +) == 25_192)
        // 41 features: 38 numeric, of which num_outbound_cmds and is_host_login are constant in
        // this subset, plus one-hot protocol_type (3), service (66) and flag (11).
        #expect(data.featureNames.count == 36 + 3 + 66 + 11)
        #expect(data.train.channels == 1 && data.train.length == 116)
        #expect(Set(data.summary.droppedColumns.map(\.name)) == ["difficulty", "num_outbound_cmds", "is_host_login"])
        // Test: 38 attack names; the 18 never seen in this training subset are counted, not fatal.
        let test = try #require(data.test)
        #expect(data.summary.unknownLabels.count == 18)
        #expect(data.summary.unknownLabels["apache2"] == 737)
        #expect(data.summary.unknownLabels["mscan"] == 996)
        #expect(test.count + (data.summary.test?.unknownLabelSamplesDropped ?? 0) == 22_544)
        #expect(data.summary.unknownCategories == ["service": 1])  // tftp_u
        #expect(counts(test, data.classNames)["normal"] == 9_711)
        #expect(counts(test, data.classNames)["neptune"] == 4_657)
        #expect(counts(test, data.classNames)["guess_passwd"] == 1_231)
    }

    @Test("NSL-KDD: family mode maps every test-only attack name, KDDTest-21 included")
    func nslKDDFamilies() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        let folder = directory.appendingPathComponent("nsl-kdd").path
        var spec = DataSpec(format: .nslKDD)
        spec.train = ["\(folder)/KDDTrain+_20Percent.txt"]
        spec.test = ["\(folder)/KDDTest+.txt"]
        let data = try loadDataset(spec)
        #expect(data.classNames == ["dos", "normal", "probe", "r2l", "u2r"])
        let test = try #require(data.test)
        #expect(test.count == 22_544)
        #expect(data.summary.unknownLabels.isEmpty)
        let testCounts = counts(test, data.classNames)
        #expect(testCounts["normal"] == 9_711)
        #expect(testCounts.values.reduce(0, +) == 22_544)

        spec.test = ["\(folder)/KDDTest-21.txt"]
        let hard = try loadDataset(spec)
        #expect(hard.test?.count == 11_850)
        #expect(counts(try #require(hard.test), hard.classNames)["normal"] == 2_152)

        spec.binary = true
        let binary = try loadDataset(spec)
        #expect(binary.classNames == ["normal", "attack"])
        #expect(binary.test?.classCounts(classCount: 2) == [2_152, 11_850 - 2_152])
    }

    @Test("CIC-IDS2017 improved: 25,127 flows, 91 columns, 16 classes of the README's sizes")
    func cicImproved() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        var spec = DataSpec(format: .cicflowmeter)
        spec.train = [directory.appendingPathComponent("cicids2017-improved").path + "/*.csv"]
        let data = try loadDataset(spec)
        #expect(data.summary.train.rowsRead == 25_127)
        #expect(data.summary.train.nonFiniteRowsDropped == 0)
        #expect(data.classNames.count == 16)
        var perClass = counts(data.train, data.classNames)
        for (name, count) in counts(data.validation, data.classNames) { perClass[name, default: 0] += count }
        #expect(perClass.values.filter { $0 == 2_500 }.count == 9)
        #expect(perClass["DoS Slowhttptest"] == 1_740)
        #expect(perClass["Botnet"] == 736)
        #expect(perClass["Web Attack - Brute Force"] == 73)
        #expect(perClass["Infiltration"] == 36)
        #expect(perClass["Web Attack - XSS"] == 18)
        #expect(perClass["Web Attack - SQL Injection"] == 13)
        #expect(perClass["Heartbleed"] == 11)
        // 91 columns: 7 identifiers/second label and Label out, 4 constant in this sample.
        let dropped = Dictionary(data.summary.droppedColumns.map { ($0.name, $0.reason) }, uniquingKeysWith: { a, _ in a })
        for name in ["id", "Flow ID", "Src IP", "Src Port", "Dst IP", "Timestamp"] { #expect(dropped[name] == "identifier") }
        #expect(dropped["Attempted Category"] == "label column")
        #expect(data.summary.droppedColumns.count == 7 + 4)
        #expect(data.featureNames.count == 91 - 1 - 7 - 4)
        #expect(data.featureNames.contains("Dst Port") && data.featureNames.contains("Protocol"))
        // Stratified: every class, even Heartbleed's 11 flows, is in both parts.
        #expect(data.train.classCounts(classCount: 16).allSatisfy { $0 > 0 })
        #expect(data.validation.classCounts(classCount: 16).allSatisfy { $0 > 0 })
        #expect(data.train.count + data.validation.count == 25_127)
    }

    @Test("CIC-IDS2017 original format: spaces, duplicate column, Infinity/NaN, mangled dash")
    func cicOriginal() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        var spec = DataSpec(format: .cicflowmeter)
        spec.train = [directory.appendingPathComponent("cicids2017-original-format").path + "/*.csv"]
        spec.valFraction = 0
        let data = try loadDataset(spec)
        #expect(data.summary.train.rowsRead == 7_000)  // 999 rows in six files, 1,006 in th1.csv
        // 23 rows hold Infinity or NaN in Flow Bytes/s and Flow Packets/s.
        #expect(data.summary.train.nonFiniteRowsDropped == 23)
        #expect(data.summary.nonFiniteValues == ["Flow Bytes/s": 23, "Flow Packets/s": 23])
        // Names are trimmed (" Destination Port" -> "Destination Port").
        #expect(data.featureNames.first == "Destination Port")
        #expect(!data.featureNames.contains { $0.hasPrefix(" ") })
        // The second "Fwd Header Length" is a duplicate of the first and dropped as such.
        #expect(data.summary.droppedColumns.contains(DroppedColumn(name: "Fwd Header Length.1", reason: "duplicate of 'Fwd Header Length'")))
        #expect(data.featureNames.filter { $0 == "Fwd Header Length" }.count == 1)
        // 78 features: the duplicate and 10 constant columns out.
        #expect(data.featureNames.count == 78 - 1 - 10)
        // The Web Attack labels' broken dash reads as "-", as in the improved data set.
        #expect(data.classNames == ["BENIGN", "Web Attack - Brute Force", "Web Attack - Sql Injection", "Web Attack - XSS"])
        #expect(data.train.classCounts(classCount: 4) == [6_993 - 23, 2, 2, 3])
    }

    @Test("the scaler is fitted on the training part only")
    func scalerIgnoresValidationAndTest() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        let folder = directory.appendingPathComponent("nsl-kdd").path
        var spec = DataSpec(format: .nslKDD)
        spec.train = ["\(folder)/KDDTrain+_20Percent.txt"]
        spec.test = ["\(folder)/KDDTest+.txt"]
        spec.scaler = ScalerChoice(kind: .standard, logTransform: false)
        spec.splitSeed = 3
        let data = try loadDataset(spec)
        // Standard scaling fitted on exactly the training samples leaves each of their features
        // with mean 0 and standard deviation 1; validation and test samples do not.
        let features = data.train.length
        func moments(_ samples: SampleSet, _ feature: Int) -> (mean: Double, std: Double) {
            var sum = 0.0, squares = 0.0
            for sample in 0..<samples.count {
                let value = Double(samples.values[sample * features + feature])
                sum += value
                squares += value * value
            }
            let mean = sum / Double(samples.count)
            return (mean, (squares / Double(samples.count) - mean * mean).squareRoot())
        }
        var validationOff = 0.0
        var testOff = 0.0
        let test = try #require(data.test)
        for feature in 0..<features {
            let (mean, std) = moments(data.train, feature)
            #expect(abs(mean) < 1e-4, "feature \(data.featureNames[feature]) mean \(mean)")
            #expect(abs(std - 1) < 1e-3, "feature \(data.featureNames[feature]) std \(std)")
            validationOff = max(validationOff, abs(moments(data.validation, feature).mean))
            testOff = max(testOff, abs(moments(test, feature).mean))
        }
        #expect(validationOff > 1e-3)
        #expect(testOff > 0.1)
    }

    @Test("window layout on time-ordered CIC flows: (N, F, W), windows within one file")
    func cicWindows() throws {
        guard let directory = TestEnvironment.dataDirectory() else { return }
        var spec = DataSpec(format: .cicflowmeter)
        spec.train = [directory.appendingPathComponent("cicids2017-improved").path + "/*.csv"]
        spec.layout = .window
        spec.window = 8
        spec.stride = 8
        let data = try loadDataset(spec)
        #expect(data.train.channels == 79 && data.train.length == 8)
        // Per file floor(rows / 8) windows: sum over the 16 files.
        let sizes = [2_500, 736, 2_500, 2_500, 2_500, 1_740, 2_500, 2_500, 11, 2_500, 36, 2_500, 2_500, 73, 13, 18]
        #expect(data.train.count + data.validation.count == sizes.map { $0 / 8 }.reduce(0, +))
    }
}
