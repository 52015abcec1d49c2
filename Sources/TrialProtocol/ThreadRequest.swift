import Foundation

/// The BLAS threads a search coordinator asks a running trial to use from its next batch on: a
/// file (`StudyFolder.threadRequest`, given to `tune train --thread-requests`) holding one decimal
/// number, written whole (a temporary file renamed over it) so a trial never reads half of one.
/// A trial running alone gets every core this way, and gives them back when another starts; on
/// our own kernels the thread count changes only the speed, never a result.
public enum ThreadRequest {
    /// Writes `count` to `url` atomically.
    public static func write(_ count: Int, to url: URL) throws {
        try (String(count) + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// The count in `url`, or nil when there is none (no file yet, or not a positive number).
    public static func read(_ url: URL) -> Int? {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), count >= 1 else { return nil }
        return count
    }
}
