import Foundation

/// Counts for the statistics line: flows scored, alerts and skipped records since the last line
/// and in all, and the latency of each flow scored since the last line.
struct DetectionStatistics {
    private(set) var totalFlows = 0
    private(set) var totalAlerts = 0
    private(set) var totalSkipped = 0
    private var flows = 0
    private var alerts = 0
    private var skipped = 0
    private var latencies: [Double] = []  // seconds, this interval
    private var intervalStart: Double

    init(now: Double) {
        intervalStart = now
        latencies.reserveCapacity(1 << 16)
    }

    mutating func scored(latency: Double, alert: Bool) {
        flows += 1
        totalFlows += 1
        if alert { alerts += 1; totalAlerts += 1 }
        latencies.append(latency)
    }

    mutating func skippedRecord() {
        skipped += 1
        totalSkipped += 1
    }

    /// The line for the interval ending `now`, and a fresh interval.
    mutating func line(now: Double) -> String {
        let seconds = max(now - intervalStart, 1e-9)
        latencies.sort()
        func percentile(_ fraction: Double) -> String {
            guard !latencies.isEmpty else { return "-" }
            let index = min(latencies.count - 1, Int((fraction * Double(latencies.count)).rounded(.up)) - 1)
            return String(format: "%.1f ms", latencies[max(0, index)] * 1000)
        }
        let text = String(format: "%.1f flows/s", Double(flows) / seconds)
            + ", \(alerts) alerts, \(skipped) skipped, latency p50 \(percentile(0.5)) p99 \(percentile(0.99))"
            + String(format: " (last %.0f s; %d flows in all)", seconds, totalFlows)
        flows = 0
        alerts = 0
        skipped = 0
        latencies.removeAll(keepingCapacity: true)
        intervalStart = now
        return text
    }
}
