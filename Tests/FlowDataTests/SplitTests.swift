import FlowData
import Foundation
import Testing

/// What is fitted sees only training rows, and the validation split belongs to the data.
@Suite("One validation split, fitted on training rows")
struct SplitTests {
    /// 200 flows: `proto` is tcp or udp but for 20 flows with a category of their own, and each
    /// `rare_k` column is 0 but in flow k. Some of those flows land in validation.
    static func rareValues(_ directory: TemporaryDirectory) throws -> DataSpec {
        var text = "size,proto," + (0..<20).map { "rare_\($0)" }.joined(separator: ",") + ",label\n"
        for row in 0..<200 {
            let proto = row < 20 ? "p\(row)" : (row % 2 == 0 ? "tcp" : "udp")
            let rare = (0..<20).map { $0 == row ? "1" : "0" }.joined(separator: ",")
            text += "\(row % 37),\(proto),\(rare),\(row % 3 == 0 ? "attack" : "normal")\n"
        }
        var spec = DataSpec(format: .csv)
        spec.train = [try directory.write(text, to: "flows.csv")]
        spec.label = "label"
        spec.symbolic = ["proto"]
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        return spec
    }

    @Test("kept columns and one-hot categories come from training rows only")
    func encoderSeesOnlyTrainingRows() throws {
        let directory = try TemporaryDirectory()
        let data = try loadDataset(Self.rareValues(directory))
        let features = data.featureNames
        let width = data.train.length  // features layout: (N, 1, F)
        func trainingValues(_ feature: Int) -> Set<Float> {
            Set((0..<data.train.count).map { data.train.values[$0 * width + feature] })
        }
        // Every kept feature varies over the training samples (a one-hot category that only
        // validation rows use would be all zeros there).
        for (index, name) in features.enumerated() {
            #expect(trainingValues(index).count > 1, "\(name) is constant on the training samples")
        }
        // The case arises: some rare flows are validation samples, so some columns and categories go.
        let dropped = data.summary.droppedColumns.map(\.name)
        #expect(dropped.contains { $0.hasPrefix("rare_") }, "\(dropped)")
        #expect(features.filter { $0.hasPrefix("proto=p") }.count < 20)
        #expect(!data.summary.validationUnknownCategories.isEmpty)
    }

    @Test("the split follows split_seed, recorded as a fingerprint of records and labels")
    func fingerprintFollowsTheSplitSeed() throws {
        let directory = try TemporaryDirectory()
        var spec = try Self.rareValues(directory)
        let first = try loadDataset(spec)
        #expect(first.validationFingerprint.count == 16)
        #expect(try loadDataset(spec).validationFingerprint == first.validationFingerprint)
        // Scaling is not part of it: the same records validate whatever the scaler.
        spec.scaler = .recommended
        #expect(try loadDataset(spec).validationFingerprint == first.validationFingerprint)
        spec.splitSeed = 1
        #expect(try loadDataset(spec).validationFingerprint != first.validationFingerprint)
        #expect(first.testFingerprint == nil)
    }

    @Test("split_seed is read from the data section and checked")
    func splitSeedInTheSpec() throws {
        let spec = try DataSpec.decode(json: #"{"format": "synthetic", "split_seed": 3}"#)
        #expect(spec.splitSeed == 3)
        #expect(throws: DataError.self) { _ = try DataSpec.decode(json: #"{"format": "synthetic", "split_seed": -1}"#) }
        #expect(throws: DataError.self) { _ = try DataSpec.decode(json: #"{"format": "synthetic", "split_seed": 1.5}"#) }
    }
}
