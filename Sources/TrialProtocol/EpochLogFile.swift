import Foundation
import FileFormats

/// A run's `epochs.jsonl` as written by the trainer: one JSON object per finished epoch (the
/// trainer's `EpochMetrics`: losses, `lr`, `seconds`, the `validation` and `test` sections with
/// their per-class lists, the split fingerprints). Readers take what they need from the records.
public enum EpochLogFile {
    /// The records of the file at `url` by epoch number, in increasing order; a later line for an
    /// epoch replaces an earlier one, and lines that do not parse are skipped (a crash can cut the
    /// last one). A missing or unreadable file gives no records.
    public static func read(_ url: URL) -> [(epoch: Int, record: [String: JSONValue])] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return parse(String(decoding: data, as: UTF8.self), source: url.path)
    }

    /// The records of the text of an `epochs.jsonl` file.
    public static func parse(_ text: String, source: String = "epochs.jsonl") -> [(epoch: Int, record: [String: JSONValue])] {
        var byEpoch: [Int: [String: JSONValue]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard case .object(let members)? = try? JSONValue.parse(Data(line.utf8), source: source),
                  case .number(let number)? = members["epoch"], let epoch = Int(exactly: number), epoch >= 1 else { continue }
            byEpoch[epoch] = members
        }
        return byEpoch.keys.sorted().compactMap { epoch in byEpoch[epoch].map { (epoch, $0) } }
    }

    /// The flat metrics of each logged epoch (what crash recovery appends to a journal).
    public static func metrics(_ url: URL) -> [(epoch: Int, metrics: [String: Double])] {
        read(url).map { ($0.epoch, FlatMetrics.flatten($0.record)) }
    }
}
