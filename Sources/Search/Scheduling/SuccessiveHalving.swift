/// How a rung decides which of its trials go on to the next rung.
public enum PromotionRule: Sendable, Equatable {
    /// Synchronous successive halving (`sha`, and within a `hyperband` bracket): a rung decides
    /// once it is closed, i.e. every trial that can reach it has reported there (or failed); then
    /// its top max(1, floor(m / eta)) of the m successful results go on (goal-aware, ties broken
    /// by the lower trial number) and the rest are pruned.
    case synchronous
    /// Asynchronous successive halving (`asha`): see `AsynchronousSuccessiveHalving`.
    case asynchronous(ArrivalOrder)
}

/// Evaluates the rungs of one bracket from the trials' reported results. A pure function of the
/// snapshot: it is recomputed from scratch at every decision, never carried in memory.
struct SuccessiveHalving: Sendable {
    let metric: SearchMetric
    let eta: Int
    let rule: PromotionRule

    /// What a trial brought to a rung.
    enum Outcome: Equatable {
        /// Reported there (value nil: failed, or no finite value of the metric); `order` is the
        /// journal index at which the result became known.
        case known(value: Double?, order: Int)
        /// Still on its way (waiting, running, or paused below the rung and not yet resumed).
        case unknown
    }

    /// The rungs of `bracket` given its `members` (its created trials, by number); `isOpen` is true
    /// while more trials can still join it.
    func evaluate(bracket: Bracket, members: [TrialSnapshot], isOpen: Bool) -> BracketSummary {
        let first = members.first?.number ?? bracket.firstTrial  // members are consecutive numbers
        func member(_ number: Int) -> TrialSnapshot? {
            members.indices.contains(number - first) ? members[number - first] : nil
        }
        var rungs: [RungSummary] = []
        var arrivals = members.map(\.number)
        var upstreamClosed = !isOpen
        for (level, epochs) in bracket.rungEpochs.enumerated() {
            let isTop = level == bracket.rungEpochs.count - 1
            func outcome(_ number: Int) -> Outcome {
                member(number).map { self.outcome(of: $0, atEpochs: epochs) } ?? .unknown
            }
            var sequence = arrivals
            var known: [Int: Outcome] = [:]
            if case .asynchronous(.completion) = rule {
                let ordered = AsynchronousSuccessiveHalving.completionOrder(arrivals.map { ($0, outcome($0)) })
                sequence = ordered.map(\.0)
                known = Dictionary(ordered, uniquingKeysWith: { first, _ in first })
            }

            var results: [RungResult] = []
            var successes: [(number: Int, value: Double)] = []
            var promoted: [Int] = []
            var promotedSet: Set<Int> = []
            for number in sequence {
                guard case .known(let value, _) = known[number] ?? outcome(number) else { break }
                results.append(RungResult(trialNumber: number, value: value))
                if let value { successes.append((number, value)) }
                if !isTop, case .asynchronous = rule {
                    AsynchronousSuccessiveHalving.promoteWithinQuota(successes: successes, promoted: &promoted,
                                                                     promotedSet: &promotedSet, metric: metric, eta: eta)
                }
            }
            let isClosed = upstreamClosed && results.count == sequence.count
            if !isTop && isClosed {
                switch rule {
                case .synchronous:
                    let successes = results.filter { $0.value != nil }.count
                    let quota = successes == 0 ? 0 : max(1, successes / eta)
                    promoted = Array(ranked(results).prefix(quota))
                case .asynchronous:
                    if promoted.isEmpty, let best = ranked(results).first { promoted = [best] }
                }
                promotedSet = Set(promoted)
            }
            if !isTop {
                // A trial already sent to a higher rung stays promoted even if the rule would now
                // decide otherwise (a failed trial retried with a different result, a journal
                // edited by hand): a decision carried out is never taken back.
                for number in sequence where !promotedSet.contains(number) && (member(number)?.targetEpochs ?? 0) > epochs {
                    promoted.append(number)
                    promotedSet.insert(number)
                }
            }
            rungs.append(RungSummary(epochs: epochs, arrivals: sequence, results: results,
                                     promoted: promoted, isClosed: isClosed))
            arrivals = promoted
            upstreamClosed = isClosed
        }
        return BracketSummary(bracket: bracket, trialNumbers: members.map(\.number), rungs: rungs)
    }

    /// The trial numbers of the successful `results`, best first (ties: lower number first).
    func ranked(_ results: [RungResult]) -> [Int] {
        results.compactMap { result in result.value.map { (result.trialNumber, $0) } }
            .sorted { left, right in
                if metric.isBetter(left.1, than: right.1) { return true }
                if metric.isBetter(right.1, than: left.1) { return false }
                return left.0 < right.0
            }
            .map(\.0)
    }

    /// What `trial` brought to the rung at `epochs`.
    func outcome(of trial: TrialSnapshot, atEpochs epochs: Int) -> Outcome {
        if let arrival = trial.reports.first(where: { $0.epoch >= epochs }) {
            let value = trial.value(of: metric.name, atEpoch: epochs)
            return .known(value: value.flatMap { $0.isFinite ? $0 : nil }, order: arrival.journalIndex)
        }
        switch trial.state {
        case .failed, .pruned, .complete:
            return .known(value: nil, order: trial.stateJournalIndex)
        case .paused where (trial.targetEpochs ?? 0) >= epochs:
            return .known(value: nil, order: trial.stateJournalIndex)  // stopped short of its target
        case .waiting, .running, .paused:
            return .unknown
        }
    }
}
