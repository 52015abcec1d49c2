/// Epochs a trial wrote to its own log (`epochs.jsonl`) that the journal lacks, as the journal
/// entries that add them. The log is the trial's history as trained; the journal can miss part of
/// it: the epochs trained after the coordinator was killed, or those a process kept training after
/// its worker was declared dead, before another worker continued from its later checkpoint (which
/// leaves a gap below the epochs the new worker reported).
enum EpochRecovery {
    /// The reports that make `trial`'s journal hold every epoch in `logged` (epoch and flat
    /// metrics, ascending), on behalf of `owner`'s claim. A report replaces the journal's reports
    /// from its epoch on, so from the first missing epoch every later one is reported again, the
    /// logged ones from the log and any the journal holds beyond the log as they were.
    static func operations(trial: TrialSnapshot, logged: [(epoch: Int, metrics: [String: Double])],
                           owner: String) -> [JournalOperation] {
        let known = Set(trial.reports.map(\.epoch))
        guard let first = logged.firstIndex(where: { !known.contains($0.epoch) }) else { return [] }
        var operations = logged[first...].map { entry in
            JournalOperation.reportEpoch(number: trial.number, epoch: entry.epoch, metrics: entry.metrics, worker: owner)
        }
        let lastLogged = logged.last?.epoch ?? 0
        for report in trial.reports where report.epoch > lastLogged {
            operations.append(.reportEpoch(number: trial.number, epoch: report.epoch, metrics: report.metrics, worker: owner))
        }
        return operations
    }
}
