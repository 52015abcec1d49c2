/// A bracket of successive halving: consecutive trial numbers that start at the same rung and
/// compete with each other for promotion. `random`, `grid`, `sha` and `asha` have one bracket
/// holding every trial; `hyperband` has several.
public struct Bracket: Sendable, Equatable {
    public var index: Int
    /// The number of its first trial.
    public var firstTrial: Int
    /// How many trials it takes; nil when it takes every trial from `firstTrial` on.
    public var capacity: Int?
    /// The epochs of the rungs its trials climb, from its first rung to `max_epochs`.
    public var rungEpochs: [Int]

    public init(index: Int, firstTrial: Int, capacity: Int?, rungEpochs: [Int]) {
        self.index = index
        self.firstTrial = firstTrial
        self.capacity = capacity
        self.rungEpochs = rungEpochs
    }

    public func contains(trialNumber: Int) -> Bool {
        trialNumber >= firstTrial && (capacity.map { trialNumber < firstTrial + $0 } ?? true)
    }
}

/// How trial numbers map to brackets.
enum BracketLayout: Sendable, Equatable {
    /// One bracket of all trials climbing `rungEpochs`.
    case single(rungEpochs: [Int])
    /// Hyperband's brackets, repeated.
    case hyperband(HyperbandPlan)

    func bracket(ofTrial number: Int) -> Bracket {
        switch self {
        case .single(let rungEpochs):
            return Bracket(index: 0, firstTrial: 0, capacity: nil, rungEpochs: rungEpochs)
        case .hyperband(let plan):
            return plan.bracket(ofTrial: number)
        }
    }
}

/// The result a trial brought to a rung.
public struct RungResult: Sendable, Equatable {
    public var trialNumber: Int
    /// The metric at the rung's epochs; nil when the trial failed or reported no finite value.
    public var value: Double?
}

/// One rung of a bracket as the scheduler sees it (also `tune status`'s rung table).
public struct RungSummary: Sendable, Equatable {
    public var epochs: Int
    /// The trials that entered the rung, in the order their results are processed.
    public var arrivals: [Int]
    /// The results processed so far, in that order.
    public var results: [RungResult]
    /// The trials promoted to the next rung, in the order they were promoted.
    public var promoted: [Int]
    /// True when no trial can still arrive and every arrival's result was processed: the
    /// rung's unpromoted trials are pruned.
    public var isClosed: Bool
}

/// A bracket and the state of its rungs.
public struct BracketSummary: Sendable, Equatable {
    public var bracket: Bracket
    /// The trials created in it so far.
    public var trialNumbers: [Int]
    public var rungs: [RungSummary]
}
