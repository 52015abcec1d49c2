/// What a model-based sampler may know when it draws trial t: the results of the trials numbered
/// below t - lag, each at the rung the view decides on, and only once they are final. Built from
/// the trials' reported results alone (never from what is running or who finished first), so
/// trial t gets the same configuration at any `--parallel` and after any interruption.
///
/// Under a halving scheduler the view replays successive halving on those first trials only
/// (promotions the rule makes from them, not the ones later trials caused) and picks the rung
/// the model is fitted on: the highest one with at least `requiredResults` successful results
/// (Falkner et al. 2018, BOHB: d + 1), climbing only through rungs whose results are all in.
/// Rung k's results take eta^k times as long to come, so rung k is viewed over the trials below
/// t - lag * eta^k: a promoted trial's longer run has had time to end before anyone waits for it.
struct ModelView: Sendable {
    /// A trial as the model sees it.
    struct Observation: Sendable, Equatable {
        var number: Int
        /// The metric at the chosen rung for a trial that reached it; for one stopped lower, at
        /// the highest rung it reached there.
        var value: Double
        /// The epochs of the rung `value` comes from.
        var epochs: Int
        /// True when it reached the chosen rung (Optuna's complete trials); false for one stopped
        /// lower (Optuna's pruned trials).
        var reachedRung: Bool
    }

    enum Answer: Sendable, Equatable {
        /// The view is final: its observations (failed trials left out), in trial-number order,
        /// fitted at the rung of `epochs`.
        case ready(epochs: Int, observations: [Observation])
        /// Some result the view needs is still to come.
        case incomplete
    }

    /// The rungs of the first trials: per rung's epochs, the arrivals, how many of them are
    /// known, the successes and the failures.
    private struct Rungs {
        var arrivals: [Int: Int] = [:]
        var known: [Int: Int] = [:]
        var successes: [Int: [(number: Int, value: Double)]] = [:]
        var failures: [Int: [Int]] = [:]
    }

    let layout: BracketLayout
    /// One per rung (each keeps its own memo, as each views a different number of trials).
    let halvings: [SuccessiveHalving]
    /// Every rung's epochs, lowest first.
    let rungEpochs: [Int]
    /// The successful results a rung above the lowest needs before the model is fitted there.
    let requiredResults: Int
    let lag: Int
    let eta: Int

    init(definition: SearchDefinition, requiredResults: Int, lag: Int) {
        let (layout, rule) = SearchScheduler.plan(definition)
        self.layout = layout
        rungEpochs = switch layout {
        case .single(let epochs): epochs
        case .hyperband: definition.budget.rungEpochs
        }
        halvings = rungEpochs.map { _ in SuccessiveHalving(metric: definition.metric, eta: definition.budget.eta, rule: rule) }
        self.requiredResults = requiredResults
        self.lag = lag
        eta = definition.budget.eta
    }

    /// How many of the first trials rung `level` is viewed over, for trial `trial`.
    func visibleTrials(forTrial trial: Int, level: Int) -> Int {
        var delay = lag
        for _ in 0..<level {
            let (next, overflow) = delay.multipliedReportingOverflow(by: eta)
            delay = overflow ? Int.max / 2 : next
        }
        return trial - delay
    }

    /// The view for trial `trial` of `study`.
    func observe(_ study: StudySnapshot, trial: Int) -> Answer {
        // The rung: the lowest one whose arrivals exist, then up while the next has enough.
        var chosen: (epochs: Int, rungs: Rungs)?
        for (level, epochs) in rungEpochs.enumerated() {
            let count = visibleTrials(forTrial: trial, level: level)
            guard count > 0 else { break }
            guard count <= study.trials.count else { return .incomplete }
            let rungs = evaluate(study, firstTrials: count, halving: halvings[level])
            let arrived = rungs.arrivals[epochs] ?? 0
            if chosen == nil, arrived == 0 { continue }
            if chosen != nil, arrived < requiredResults { break }
            guard rungs.known[epochs] == arrived else { return .incomplete }
            if chosen != nil, (rungs.successes[epochs]?.count ?? 0) < requiredResults { break }
            chosen = (epochs, rungs)
        }
        guard let (chosenEpochs, rungs) = chosen else { return .ready(epochs: rungEpochs.last ?? 0, observations: []) }

        // Each trial's highest success at or below the chosen rung; a trial whose last result
        // there is a failure is left out (failed trials never count).
        var best: [Int: Observation] = [:]
        for epochs in rungEpochs where epochs <= chosenEpochs {
            for (number, value) in rungs.successes[epochs] ?? [] {
                best[number] = Observation(number: number, value: value, epochs: epochs, reachedRung: epochs == chosenEpochs)
            }
            for number in rungs.failures[epochs] ?? [] { best[number] = nil }
        }
        return .ready(epochs: chosenEpochs, observations: best.values.sorted { $0.number < $1.number })
    }

    /// Successive halving replayed on the first `count` trials alone.
    private func evaluate(_ study: StudySnapshot, firstTrials count: Int, halving: SuccessiveHalving) -> Rungs {
        var rungs = Rungs()
        var start = 0
        while start < count {
            let bracket = layout.bracket(ofTrial: start)
            var end = start + 1
            while end < count, layout.bracket(ofTrial: end).index == bracket.index { end += 1 }
            let isFull = bracket.capacity.map { end - start >= $0 } ?? false
            let summary = halving.evaluate(bracket: bracket, members: study.trials[start..<end], isOpen: !isFull,
                                           digests: study.entryDigests, keepsCarriedOutPromotions: false)
            for rung in summary.rungs {
                rungs.arrivals[rung.epochs, default: 0] += rung.arrivals.count
                rungs.known[rung.epochs, default: 0] += rung.results.count
                for result in rung.results {
                    if let value = result.value {
                        rungs.successes[rung.epochs, default: []].append((result.trialNumber, value))
                    } else {
                        rungs.failures[rung.epochs, default: []].append(result.trialNumber)
                    }
                }
            }
            start = end
        }
        return rungs
    }
}
