/// Decides what to run next from a study snapshot, as a pure function of the snapshot: no clock,
/// no memory between calls, so a resumed coordinator makes exactly the decisions an uninterrupted
/// one would have made.
///
/// The coordinator's loop: refresh the study, ask `nextActions` with its free worker slots,
/// `Study.record` each action before launching it, append each epoch's report as it arrives,
/// and on a trial's exit append `paused` (it reached its target) or `failed` (with the reason).
public struct SearchScheduler: Sendable {
    public let definition: SearchDefinition
    public let seed: Int
    public let sampler: any ParameterSampler
    public let failurePolicy: FailurePolicy
    public let rule: PromotionRule
    let layout: BracketLayout
    let halving: SuccessiveHalving

    /// The scheduler `definition` names, for a study seeded with `seed`, drawing new trials from
    /// `sampler` (default: the one the search file names). `arrivalOrder` matters for `asha`
    /// only; `.completion` (plain, timing-dependent ASHA) exists to measure the cost of the
    /// deterministic default.
    public init(definition: SearchDefinition, seed: Int, failurePolicy: FailurePolicy = FailurePolicy(),
                arrivalOrder: ArrivalOrder = .trialNumber, sampler: (any ParameterSampler)? = nil) {
        self.definition = definition
        self.seed = seed
        self.failurePolicy = failurePolicy
        self.sampler = sampler ?? definition.makeSampler(seed: seed)
        (layout, rule) = Self.plan(definition, arrivalOrder: arrivalOrder)
        halving = SuccessiveHalving(metric: definition.metric, eta: definition.budget.eta, rule: rule)
    }

    /// The brackets and the promotion rule of the scheduler `definition` names.
    static func plan(_ definition: SearchDefinition, arrivalOrder: ArrivalOrder = .trialNumber) -> (BracketLayout, PromotionRule) {
        switch definition.scheduler {
        case .none: return (.single(rungEpochs: [definition.budget.maximumEpochs]), .synchronous)
        case .sha: return (.single(rungEpochs: definition.budget.rungEpochs), .synchronous)
        case .asha: return (.single(rungEpochs: definition.budget.rungEpochs), .asynchronous(arrivalOrder))
        case .hyperband: return (.hyperband(HyperbandPlan(budget: definition.budget)), .synchronous)
        }
    }

    /// False only for plain (completion-order) ASHA, whose results depend on timing.
    public var isDeterministic: Bool { rule != .asynchronous(.completion) }

    /// The bracket a trial belongs to (its first rung is where it starts).
    public func bracket(ofTrial number: Int) -> Bracket {
        layout.bracket(ofTrial: number)
    }

    /// The actions to take now with `freeSlots` idle workers in a search of `trialBudget` trials
    /// in total (counting the trials already in the study). Stops (and trials pruned at a rung that
    /// has opened again, paused once more) come first and need no worker;
    /// then, one worker each: re-queued trials, promotions (longest target first, then in the
    /// order the rungs promoted them), new trials.
    /// Empty means: wait for a running trial to report or finish.
    public func nextActions(snapshot: StudySnapshot, freeSlots: Int, trialBudget: Int) -> [SchedulerAction] {
        let state = evaluate(snapshot: snapshot, trialBudget: trialBudget)
        var stops: [SchedulerAction] = []
        var promotions: [(target: Int, bracket: Int, order: Int, action: SchedulerAction)] = []
        let states = snapshot.states
        for summary in state.brackets {
            let top = summary.rungs.count - 1
            for (level, rung) in summary.rungs.enumerated() {
                let promoted = Set(rung.promoted)
                for number in rung.arrivals {
                    // Most arrivals of a long study are finished: skip them before anything else.
                    let state = states[number]
                    guard state == .paused || (state == .pruned && level < top && !rung.isClosed) else { continue }
                    let trial = snapshot.trials[number]
                    guard self.level(of: trial, in: summary.bracket) == level else { continue }
                    if trial.state == .pruned, level < top, !rung.isClosed {
                        stops.append(.reopen(trialNumber: number))
                        continue
                    }
                    guard trial.state == .paused else { continue }
                    if level == top {
                        stops.append(.stop(trialNumber: number, finalState: .complete))
                    } else if promoted.contains(number) {
                        let order = rung.promoted.firstIndex(of: number) ?? 0
                        let target = summary.rungs[level + 1].epochs
                        promotions.append((target, summary.bracket.index, order, .resume(trialNumber: number, targetEpochs: target)))
                    } else if rung.isClosed {
                        stops.append(.stop(trialNumber: number, finalState: .pruned))
                    }
                }
            }
        }
        if state.stopReason != nil { return stops }

        var actions = stops
        var slots = freeSlots
        for index in states.indices where slots > 0 && states[index] == .waiting {
            let target = snapshot.trials[index].targetEpochs ?? bracket(ofTrial: index).rungEpochs[0]
            actions.append(.resume(trialNumber: index, targetEpochs: target))
            slots -= 1
        }
        let orderedPromotions = promotions.sorted { left, right in
            if left.target != right.target { return left.target > right.target }
            return left.bracket != right.bracket ? left.bracket < right.bracket : left.order < right.order
        }
        for promotion in orderedPromotions where slots > 0 {
            actions.append(promotion.action)
            slots -= 1
        }
        var used = snapshot.usedConfigurations
        var number = snapshot.trials.count
        var answer = state.nextTrial
        while slots > 0, case .parameters(let chosen) = answer {
            actions.append(.start(trialNumber: number, parameters: chosen, targetEpochs: bracket(ofTrial: number).rungEpochs[0]))
            used.insert(chosen.canonicalText)
            slots -= 1
            number += 1
            answer = number < trialBudget
                ? sampler.sample(trial: number, study: snapshot, metric: definition.metric, excluding: used) : .exhausted
        }
        return actions
    }

    /// Whether the search goes on, is finished, or was stopped by the failure rule. A stopped
    /// search starts nothing new; its running trials may still finish.
    public func status(snapshot: StudySnapshot, trialBudget: Int) -> SearchStatus {
        if let reason = failurePolicy.stopReason(snapshot: snapshot, trialBudget: trialBudget) {
            return .stopped(reason: reason)
        }
        if snapshot.count(where: { !$0.isFinished }) > 0 { return .inProgress }
        return nextTrial(snapshot: snapshot, trialBudget: trialBudget) == .exhausted ? .finished : .inProgress
    }

    /// The brackets and their rungs: promotions so far, closed rungs (for `tune status`).
    public func brackets(snapshot: StudySnapshot, trialBudget: Int) -> [BracketSummary] {
        evaluate(snapshot: snapshot, trialBudget: trialBudget).brackets
    }

    // MARK: - Evaluation

    private struct Evaluation {
        var brackets: [BracketSummary]
        /// What the sampler says of the next new trial (`exhausted` also when the budget is spent).
        var nextTrial: SamplerAnswer
        var stopReason: String?
    }

    private func evaluate(snapshot: StudySnapshot, trialBudget: Int) -> Evaluation {
        let nextTrial = nextTrial(snapshot: snapshot, trialBudget: trialBudget)
        // Brackets hold consecutive trial numbers: each one's members are a slice of the trials.
        var summaries: [BracketSummary] = []
        var start = 0
        let trials = snapshot.trials
        while start < trials.count {
            let bracket = bracket(ofTrial: start)
            var end = start + 1
            while end < trials.count, self.bracket(ofTrial: end).index == bracket.index { end += 1 }
            let isFull = bracket.capacity.map { end - start >= $0 } ?? false
            summaries.append(halving.evaluate(bracket: bracket, members: trials[start..<end],
                                              isOpen: nextTrial != .exhausted && !isFull, digests: snapshot.entryDigests))
            start = end
        }
        return Evaluation(brackets: summaries, nextTrial: nextTrial,
                          stopReason: failurePolicy.stopReason(snapshot: snapshot, trialBudget: trialBudget))
    }

    private func nextTrial(snapshot: StudySnapshot, trialBudget: Int) -> SamplerAnswer {
        let number = snapshot.trials.count
        guard number < trialBudget else { return .exhausted }
        return sampler.sample(trial: number, study: snapshot, metric: definition.metric, excluding: snapshot.usedConfigurations)
    }

    /// The rung a trial's current (or last) run aims at: the highest rung within its target.
    private func level(of trial: TrialSnapshot, in bracket: Bracket) -> Int? {
        guard let target = trial.targetEpochs else { return nil }
        return bracket.rungEpochs.lastIndex { $0 <= target }
    }
}
