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
    /// What earlier evaluations worked out, reused where it certainly still holds.
    let memo = RungMemo()

    /// What a trial brought to a rung.
    enum Outcome: Equatable {
        /// Reported there (value nil: failed, or no finite value of the metric); `order` is the
        /// journal index at which the result became known.
        case known(value: Double?, order: Int)
        /// Still on its way (waiting, running, or paused below the rung and not yet resumed).
        case unknown
    }

    /// The rungs of `bracket` given its `members` (its created trials, consecutive numbers);
    /// `isOpen` is true while more trials can still join it. `digests` are the snapshot's
    /// `entryDigests`, which say whether the memo's work still holds. `keepsCarriedOutPromotions`
    /// counts a trial already sent higher as promoted (the scheduler); without it the rungs are
    /// what the rule alone gives for these members (a sampler's view of the first trials).
    func evaluate(bracket: Bracket, members: ArraySlice<TrialSnapshot>, isOpen: Bool, digests: [UInt64],
                  keepsCarriedOutPromotions: Bool = true) -> BracketSummary {
        // Elements are read in place: copying a trial out of the array costs more than the rules.
        members.withUnsafeBufferPointer { buffer in
            evaluate(bracket: bracket, members: BracketMembers(buffer: buffer, first: members.startIndex), isOpen: isOpen,
                     digests: digests, keepsCarriedOutPromotions: keepsCarriedOutPromotions)
        }
    }

    private func evaluate(bracket: Bracket, members: BracketMembers, isOpen: Bool, digests: [UInt64],
                          keepsCarriedOutPromotions: Bool) -> BracketSummary {
        let numbers = members.numbers
        var rungs: [RungSummary] = []
        var arrivals = Array(numbers)
        var upstreamClosed = !isOpen
        for (level, epochs) in bracket.rungEpochs.enumerated() {
            let isTop = level == bracket.rungEpochs.count - 1
            func outcome(_ number: Int) -> Outcome {
                numbers.contains(number) ? self.outcome(of: members.buffer[number - members.first], atEpochs: epochs) : .unknown
            }
            var sequence = arrivals
            var known: [Int: Outcome] = [:]
            if case .asynchronous(.completion) = rule {
                let ordered = AsynchronousSuccessiveHalving.completionOrder(arrivals.map { ($0, outcome($0)) })
                sequence = ordered.map(\.0)
                known = Dictionary(ordered, uniquingKeysWith: { first, _ in first })
            }

            // The rung's processed prefix: from the memo where it holds, then arrival by arrival
            // up to the first whose result is still unknown. (Completion order reorders the
            // arrivals at every decision, so it always starts over.)
            let key = RungMemo.Key(bracket: bracket.index, level: level)
            let reusable = rule != .asynchronous(.completion)
            var progress = (reusable ? memo.progress(key, rungEpochs: epochs, digests: digests, sequence: sequence, members: members) : nil)
                ?? RungMemo.Progress(candidates: BestFirstQueue(metric: metric))
            for number in sequence[progress.arrivals.count...] {
                guard case .known(let value, _) = known[number] ?? outcome(number) else { break }
                progress.arrivals.append(number)
                progress.versions.append(RungMemo.TrialVersion(members.buffer[number - members.first], rungEpochs: epochs))
                progress.results.append(RungResult(trialNumber: number, value: value))
                if value != nil { progress.successCount += 1 }
                if !isTop, case .asynchronous = rule {
                    AsynchronousSuccessiveHalving.promoteWithinQuota(
                        adding: value.map { (number, $0) }, successCount: progress.successCount,
                        candidates: &progress.candidates, promoted: &progress.promoted, eta: eta)
                }
            }
            let results = progress.results
            var promoted = progress.promoted
            if reusable, let digest = digests.last {
                progress.entryCount = digests.count
                progress.digest = digest
                memo.store(key, progress)
            }
            var promotedSet = Set(promoted)
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
            if !isTop && keepsCarriedOutPromotions {
                // A trial already sent to a higher rung stays promoted even if the rule would now
                // decide otherwise (a failed trial retried with a different result, a journal
                // edited by hand): a decision carried out is never taken back.
                for number in sequence where numbers.contains(number) && (members.buffer[number - members.first].targetEpochs ?? 0) > epochs
                    && !promotedSet.contains(number) {
                    promoted.append(number)
                    promotedSet.insert(number)
                }
            }
            rungs.append(RungSummary(epochs: epochs, arrivals: sequence, results: results,
                                     promoted: promoted, isClosed: isClosed))
            arrivals = promoted
            upstreamClosed = isClosed
        }
        return BracketSummary(bracket: bracket, trialNumbers: Array(numbers), rungs: rungs)
    }

    /// The trial numbers of the successful `results`, best first (ties: lower number first).
    func ranked(_ results: [RungResult]) -> [Int] {
        results.compactMap { result in result.value.map { (result.trialNumber, $0) } }
            .sorted { left, right in metric.ranksAbove(left.1, number: left.0, right.1, number: right.0) }
            .map(\.0)
    }

    /// What `trial` brought to the rung at `epochs`.
    func outcome(of trial: borrowing TrialSnapshot, atEpochs epochs: Int) -> Outcome {
        if let arrival = trial.reports.firstIndex(where: { $0.epoch >= epochs }) {
            // The last report at or before the rung's epochs that has the metric.
            var value: Double?
            for report in trial.reports[...arrival].reversed() where report.epoch <= epochs {
                if let reported = report.metrics[metric.name] {
                    value = reported
                    break
                }
            }
            return .known(value: value.flatMap { $0.isFinite ? $0 : nil }, order: trial.reports[arrival].journalIndex)
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

/// A bracket's trials, read in place: `buffer[number - first]` is trial `number`.
struct BracketMembers {
    let buffer: UnsafeBufferPointer<TrialSnapshot>
    let first: Int

    var numbers: Range<Int> { first..<(first + buffer.count) }
}
