import Foundation

/// Where a study's journal lives. Two operations, as Optuna's JournalStorage: entries are only
/// ever appended, and numbered 0, 1, 2, ... by a single counter in commit order, so a reader that
/// has seen entries below `index` never misses one by asking for the rest.
public protocol JournalBackend: Sendable {
    /// Appends `operations` atomically (all or none) and in order.
    func append(_ operations: [JournalOperation]) throws(StudyError)
    /// The entries from `index` (0-based) to the end; empty when there are none yet.
    func read(from index: Int) throws(StudyError) -> [JournalOperation]
}

/// A journal in memory, for tests and simulations.
public final class InMemoryJournal: JournalBackend, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    /// An empty journal, or one holding `operations`.
    public init(_ operations: [JournalOperation] = []) {
        entries = operations.map(JournalEncoding.encode)
    }

    public func append(_ operations: [JournalOperation]) throws(StudyError) {
        let encoded = operations.map(JournalEncoding.encode)
        lock.withLock { entries.append(contentsOf: encoded) }
    }

    public func read(from index: Int) throws(StudyError) -> [JournalOperation] {
        guard index >= 0 else { throw StudyError(.storage, "a journal cannot be read from entry \(index)") }
        let tail = lock.withLock { index < entries.count ? Array(entries[index...]) : [] }
        var operations: [JournalOperation] = []
        for (offset, text) in tail.enumerated() {
            operations.append(try JournalEncoding.decode(text, index: index + offset, source: "in-memory journal"))
        }
        return operations
    }
}
