import Foundation
import FileFormats

/// How much time the coordinator itself spends per trial (decide, append, refresh) as a study
/// grows: a search run through the real loop and journal with an `InMemoryTrialLauncher`, whose
/// trials cost nothing, so all the wall time is the coordinator's. `tune bench coordinator`.
public struct CoordinatorBenchmark {
    /// Wall time over one block of consecutive trials.
    public struct Block: Sendable, Equatable {
        /// The first and last trial number of the block.
        public var firstTrial: Int
        public var lastTrial: Int
        /// Milliseconds of wall time per trial created in the block.
        public var millisecondsPerTrial: Double
    }

    public var definition: SearchDefinition
    public var trials: Int
    public var parallel: Int
    /// Trials per block of the result.
    public var blockSize: Int

    public init(definition: SearchDefinition, trials: Int, parallel: Int, blockSize: Int = 1000) {
        self.definition = definition
        self.trials = trials
        self.parallel = parallel
        self.blockSize = blockSize
    }

    /// The toy objective: a learning curve rising with the epoch toward a ceiling set by a hash of
    /// the parameters, so configurations differ and halving has something to rank.
    public static func toyObjective(metric: SearchMetric) -> InMemoryTrialLauncher.Objective {
        { parameters, _, epoch in
            let ceiling = 0.5 + 0.5 * Double(UInt64(SearchDefinition.fingerprint(of: .object(parameters)), radix: 16) ?? 0)
                / Double(UInt64.max)
            let value = ceiling * (1 - 1 / Double(epoch + 1))
            return metric.goal == .maximize ? value : 1 - value
        }
    }

    /// Runs the search in `study` to `trials` trials and returns the wall time per trial of each
    /// block of `blockSize` trials created.
    public func run(study: Study) throws -> [Block] {
        let launcher = InMemoryTrialLauncher(metric: definition.metric.name, objective: Self.toyObjective(metric: definition.metric))
        let coordinator = SearchCoordinator(study: study, definition: definition, options: .init(trials: trials, parallel: parallel),
                                            launcher: launcher, log: { _ in })
        let clock = ContinuousClock()
        var blocks: [Block] = []
        var blockStart = clock.now
        var nextBoundary = study.snapshot.trials.count + blockSize
        let first = study.snapshot.trials.count
        var blockFirst = first
        coordinator.onTrialEnded = { study in
            let created = study.snapshot.trials.count
            guard created >= nextBoundary || created >= trials else { return }
            let now = clock.now
            let count = created - blockFirst
            if count > 0 {
                blocks.append(Block(firstTrial: blockFirst, lastTrial: created - 1,
                                    millisecondsPerTrial: (now - blockStart).inSeconds * 1000 / Double(count)))
            }
            blockStart = now
            blockFirst = created
            nextBoundary = created + blockSize
        }
        _ = try coordinator.run()
        return blocks
    }
}
