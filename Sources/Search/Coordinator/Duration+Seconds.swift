extension Duration {
    /// The duration in seconds, as the coordinator's clocks count (`TrialLauncher.now`).
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
