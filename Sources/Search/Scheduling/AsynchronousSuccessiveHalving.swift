/// The order in which an asynchronous rung processes its trials' results.
public enum ArrivalOrder: Sendable, Equatable {
    /// Deterministic (the default): rung 0 processes the bracket's trials in number order, rung
    /// k+1 in the order rung k promoted them; a result is processed only after every earlier one,
    /// so a trial that finishes early may wait, paused, for a slower lower-numbered trial.
    case trialNumber
    /// Plain ASHA: results are processed in the order they were recorded. Never waits, but
    /// promotions depend on timing, so the same seed can give a different leaderboard. Kept to
    /// measure what determinism costs (`SearchSimulation`); not offered by the search file.
    case completion
}

/// Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter
/// Tuning", 2020), with promotions decided in a fixed order so they do not depend on timing.
///
/// The rule, for each rung k below the last:
/// 1. Arrivals: rung 0's are the bracket's trials in number order; rung k+1's are the trials
///    rung k promoted, in the order it promoted them.
/// 2. The i-th arrival's result is processed once it is known (the trial reported at rung k's
///    epochs, or failed or stopped before them) and the results of arrivals 0..<i are processed.
/// 3. After each processed result, with m successful results so far, the rung promotes its best
///    not-yet-promoted result (goal-aware, ties broken by the lower trial number) until it has
///    promoted floor(m / eta). After all m results, exactly floor(m / eta) trials went on, each the
///    best remaining one when it was promoted.
/// 4. The rung closes once no trial can still arrive (rung 0: the bracket is full or the search
///    creates no more trials; rung k+1: rung k closed) and all arrivals are processed. Its
///    unpromoted trials are then pruned; if it promoted none at all, it promotes its best, so a
///    small search still trains one trial to `max_epochs`.
///
/// Results are immutable once reported and processed in a fixed order, so every promotion is a
/// function of the trials' results alone: the same seed gives the same promotions at any
/// `--parallel` and after any interruption. The price is the wait in step 2, measured with
/// `SearchSimulation`.
enum AsynchronousSuccessiveHalving {
    /// Step 3: adds the rung's latest successful result to `candidates` and promotes the best
    /// unpromoted results until floor(m / eta) of the m successes so far are promoted. Every
    /// promotion is taken from `candidates`, so the candidates are exactly the unpromoted successes.
    static func promoteWithinQuota(adding success: (number: Int, value: Double)?, successCount: Int,
                                   candidates: inout BestFirstQueue, promoted: inout [Int], eta: Int) {
        if let success { candidates.insert(number: success.number, value: success.value) }
        while promoted.count < successCount / eta, let best = candidates.removeBest() {
            promoted.append(best)
        }
    }

    /// Plain ASHA's order: known results by the journal index at which they arrived, then the
    /// unknown ones (which are never processed until they arrive).
    static func completionOrder(_ sequence: [(Int, SuccessiveHalving.Outcome)]) -> [(Int, SuccessiveHalving.Outcome)] {
        func key(_ outcome: SuccessiveHalving.Outcome) -> Int {
            if case .known(_, let order) = outcome { return order }
            return Int.max
        }
        return sequence.enumerated()
            .sorted { left, right in
                let leftKey = key(left.element.1), rightKey = key(right.element.1)
                return leftKey != rightKey ? leftKey < rightKey : left.offset < right.offset
            }
            .map(\.element)
    }
}
