import FlowData
import Testing

@Suite("Synthetic traffic")
struct SyntheticTrafficTests {
    @Test("deterministic by seed, five classes, the same tensors as real formats")
    func deterministic() throws {
        var spec = DataSpec(format: .synthetic)
        spec.flows = 3_000
        let first = try loadDataset(spec)
        let again = try loadDataset(spec)
        let identical = first.train == again.train && first.test == again.test  // (no array dumps on failure)
        #expect(identical)
        #expect(first.classNames == SyntheticTraffic.classNames.sorted())
        #expect(first.train.channels == 1)
        #expect(first.train.length == first.featureNames.count)
        #expect(first.train.count + first.validation.count == 3_000)
        #expect(first.test?.count == 750)
        let counts = first.train.classCounts(classCount: 5)
        #expect(counts.allSatisfy { $0 > 100 }, "\(counts)")
        // Another synthetic seed gives other flows; another split seed only another split.
        spec.syntheticSeed = 1
        let otherFlows = try loadDataset(spec).train != first.train
        #expect(otherFlows)
        spec.syntheticSeed = 0
        spec.splitSeed = 1
        let resplit = try loadDataset(spec)
        let otherSplit = resplit.train != first.train
        #expect(otherSplit)
        // Same test flows (the scaler, fitted on another training part, scales them differently).
        let sameTestFlows = resplit.test?.labels == first.test?.labels
        #expect(sameTestFlows)
    }

    @Test("window layout: (N, F, W) samples labelled by the last flow of each window")
    func windows() throws {
        var spec = DataSpec(format: .synthetic)
        spec.flows = 1_000
        spec.layout = .window
        spec.window = 10
        spec.stride = 5
        spec.valFraction = 0
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        let data = try loadDataset(spec)
        #expect(data.train.channels == data.featureNames.count)
        #expect(data.train.length == 10)
        #expect(data.train.count == (1_000 - 10) / 5 + 1)
        // Window n starts at flow 5n; its step t is flow 5n + t, so consecutive windows overlap by 5.
        var flows = spec
        flows.layout = .features
        let rows = try loadDataset(flows)
        let features = data.train.channels
        for window in [0, 7, 100] {
            for step in 0..<10 {
                for feature in 0..<features {
                    let fromWindow = data.train.values[window * features * 10 + feature * 10 + step]
                    let fromRow = rows.train.values[(window * 5 + step) * features + feature]
                    #expect(fromWindow == fromRow)
                }
            }
            #expect(data.train.labels[window] == rows.train.labels[window * 5 + 9])
        }
    }

    @Test("max_per_class keeps a seeded random subset of each larger class, before the split")
    func classCap() throws {
        var spec = DataSpec(format: .synthetic)
        spec.flows = 2_000
        spec.maxPerClass = 150
        spec.splitSeed = 5
        let data = try loadDataset(spec)
        let perClass = zip(data.train.classCounts(classCount: 5), data.validation.classCounts(classCount: 5)).map { $0 + $1 }
        #expect(perClass.allSatisfy { $0 <= 150 })
        #expect(perClass.contains(150))
        #expect(data.summary.train.cappedSamplesDropped == 2_000 - perClass.reduce(0, +))
        let again = try loadDataset(spec)
        let sameSelection = again.train == data.train
        #expect(sameSelection)
        #expect(data.summary.lines.first?.contains("samples over max_per_class dropped") == true)
    }
}
