import FileFormats
import Foundation

/// One scored flow as an EVE-like JSON line (Suricata's field names where it has them), so a SIEM
/// pipeline that takes EVE takes it: `event_type` is `alert` for alerts and `flow` otherwise.
struct DetectionEvent {
    var time: Date
    var identity: [(key: String, value: String)]
    /// `file line N` or `stdin line N`.
    var source: String
    var predicted: String
    var classNames: [String]
    var probabilities: UnsafeBufferPointer<Float>
    var attackProbability: Double?
    var alert: Bool
    var label: String?
    /// From the record's arrival to its score, and the model's forward pass for its batch.
    var latency: Double
    var modelSeconds: Double
    var batchSize: Int

    /// The JSON line, with its line break.
    func line() -> String {
        var text = "{\"timestamp\":\"\(Self.timestamp(time))\",\"event_type\":\"\(alert ? "alert" : "flow")\""
        for (key, value) in identity {
            text += ",\"\(key)\":" + (Self.isPort(key) && Int(value) != nil ? value : Self.quoted(value))
        }
        text += ",\"tune\":{\"source\":\(Self.quoted(source)),\"predicted\":\(Self.quoted(predicted))"
        if let attackProbability { text += ",\"attack_probability\":" + Self.probability(attackProbability) }
        text += ",\"probabilities\":{"
        for (index, name) in classNames.enumerated() {
            text += (index > 0 ? "," : "") + Self.quoted(name) + ":" + Self.probability(Double(probabilities[index]))
        }
        text += "}"
        if let label { text += ",\"label\":" + Self.quoted(label) }
        text += String(format: ",\"latency_ms\":%.3f,\"model_ms\":%.3f,\"batch\":%d}", latency * 1000, modelSeconds * 1000, batchSize)
        if alert {
            let severity = (attackProbability ?? 1) >= 0.9 ? 1 : ((attackProbability ?? 1) >= 0.7 ? 2 : 3)
            text += ",\"alert\":{\"action\":\"allowed\",\"signature\":\(Self.quoted("tune: " + predicted)),\"category\":\(Self.quoted(predicted)),\"severity\":\(severity)}"
        }
        return text + "}\n"
    }

    /// Six decimals, as `tune predict` writes them.
    static func probability(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    private static func isPort(_ key: String) -> Bool { key == "src_port" || key == "dest_port" }

    /// EVE's timestamp: `2026-12-02T05:40:00.123456+0000`, in UTC.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let micros = Int(((seconds - Double(whole)) * 1_000_000).rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d+0000", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    /// `text` as a JSON string.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).canonicalText
    }
}
