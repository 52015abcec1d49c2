import Foundation

/// Heartbeats and the re-queueing of trials whose worker has ended or stopped sending heartbeats.
extension SearchCoordinator {
    func writeHeartbeat() throws {
        try study.append([.heartbeat(worker: worker, time: Date().timeIntervalSince1970)])
        lastHeartbeat = launcher.now
    }

    func writeHeartbeatIfDue() throws {
        if let last = lastHeartbeat, launcher.now - last < options.heartbeatInterval.inSeconds { return }
        try writeHeartbeat()
    }

    /// Trials claimed by workers known to have ended (a coordinator of this machine killed before
    /// this one started): re-queued at once, after recovering the epochs they logged.
    func recoverTrialsOfEndedWorkers() throws {
        for trial in study.snapshot.trials(in: .running) {
            guard let owner = trial.worker, owner != worker, launcher.hasEnded(worker: owner) else { continue }
            try requeue(trial.number, from: owner, reason: "interrupted; continues from its last checkpoint")
        }
    }

    /// Trials of workers whose heartbeat stopped for `heartbeatTimeout`: back in the queue, to
    /// continue from their last checkpoint on whichever worker claims them.
    func requeueTrialsOfDeadWorkers() throws {
        let dead = liveness.deadWorkers(in: study.snapshot, me: worker, now: launcher.now)
        guard !dead.isEmpty else { return }
        for trial in study.snapshot.trials(in: .running) {
            guard let owner = trial.worker, dead.contains(owner) else { continue }
            let timeout = Int(options.heartbeatTimeout.inSeconds)
            log("trial \(trial.number): worker \(owner) sent no heartbeat for \(timeout) s; back in the queue")
            try requeue(trial.number, from: owner, reason: "worker \(owner) stopped sending heartbeats; continues from its last checkpoint")
        }
    }

    private func requeue(_ number: Int, from owner: String, reason: String) throws {
        try recoverLoggedEpochs(number, owner: owner)
        try study.append([.setState(number: number, state: .waiting, reason: reason, worker: owner)])
    }

    /// Trials this worker runs that the journal no longer gives it (another worker declared it
    /// dead and re-queued them): their runs are ended, so no trial ever runs twice at once.
    func abandonLostClaims() {
        for (number, run) in running {
            let trial = study.snapshot.trials[number]
            guard trial.state != .running || trial.worker != worker else { continue }
            log("trial \(number): no longer claimed by this worker (re-queued by another); stopping its process")
            launcher.terminate(run)
            running[number] = nil
        }
    }
}
