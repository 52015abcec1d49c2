/// The schedulers a search file can name (`"scheduler"`): how far each trial is trained.
public enum SchedulerKind: String, Sendable, CaseIterable {
    /// Every trial to `max_epochs`.
    case none
    /// Synchronous successive halving: a rung's promotions wait until all its trials reported.
    case sha
    /// Asynchronous successive halving, with promotions decided in trial-number order.
    case asha
    /// Brackets of successive halving that trade the number of trials against their epochs.
    case hyperband

    /// True for the schedulers that stop weak trials early.
    public var halves: Bool { self != .none }
}
