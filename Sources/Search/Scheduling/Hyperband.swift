/// Hyperband's brackets (Li et al., 2018): bracket s (s_max down to 0) starts n_s trials at rung
/// s_max - s and halves them synchronously, n_s = ceil((s_max + 1) / (s + 1) * eta^s), so every
/// bracket spends about the same epochs while trading many short trials for few long ones.
///
/// With the rungs of `EpochBudget.rungEpochs`, s_max is the number of rungs minus one, which is
/// the paper's floor(log_eta(max/min)) when max/min is a power of eta (1..81 with eta 3: brackets
/// of 81, 34, 15, 8 and 5 trials starting at 1, 3, 9, 27 and 81 epochs). Trials fill the brackets
/// in order by number (trials 0-80 the first, 81-114 the second, ...) and the sequence repeats.
public struct HyperbandPlan: Sendable, Equatable {
    public struct Plan: Sendable, Equatable {
        /// The paper's s: how many times the bracket halves.
        public var halvings: Int
        /// n: the trials it starts.
        public var trialCount: Int
        /// The epochs of its rungs (r_i = r * eta^i, ending at max_epochs).
        public var rungEpochs: [Int]
        /// n_i = floor(n / eta^i): the trials planned at each rung.
        public var trialsPerRung: [Int]
    }

    /// The brackets from s_max down to 0.
    public let brackets: [Plan]
    public let eta: Int

    public init(budget: EpochBudget) {
        let ladder = budget.rungEpochs
        let maximumHalvings = ladder.count - 1
        eta = budget.eta
        var brackets: [Plan] = []
        for halvings in stride(from: maximumHalvings, through: 0, by: -1) {
            let power = Self.power(budget.eta, halvings)
            let count = ((maximumHalvings + 1) * power + halvings) / (halvings + 1)  // ceil
            let rungs = Array(ladder[(maximumHalvings - halvings)...])
            let perRung = (0...halvings).map { count / Self.power(budget.eta, $0) }
            brackets.append(Plan(halvings: halvings, trialCount: count, rungEpochs: rungs, trialsPerRung: perRung))
        }
        self.brackets = brackets
    }

    /// The trials one round of all brackets starts.
    public var trialsPerRound: Int { brackets.reduce(0) { $0 + $1.trialCount } }

    /// The epochs one round trains when every planned promotion continues from its checkpoint.
    public var epochsPerRound: Int {
        brackets.reduce(0) { total, plan in
            var epochs = 0, previous = 0
            for (rung, count) in zip(plan.rungEpochs, plan.trialsPerRung) {
                epochs += count * (rung - previous)
                previous = rung
            }
            return total + epochs
        }
    }

    /// The bracket trial `number` belongs to: brackets are numbered across rounds.
    public func bracket(ofTrial number: Int) -> Bracket {
        let round = number / trialsPerRound
        var first = round * trialsPerRound
        var offset = number - first
        for (position, plan) in brackets.enumerated() {
            if offset < plan.trialCount {
                return Bracket(index: round * brackets.count + position, firstTrial: first,
                               capacity: plan.trialCount, rungEpochs: plan.rungEpochs)
            }
            offset -= plan.trialCount
            first += plan.trialCount
        }
        return Bracket(index: 0, firstTrial: 0, capacity: nil, rungEpochs: brackets.last?.rungEpochs ?? [])  // not reached
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int {
        var result = 1
        for _ in 0..<exponent { result = result.multipliedReportingOverflow(by: base).overflow ? Int.max / 2 : result * base }
        return result
    }
}
