import Dispatch
import Synchronization

/// A thread-safe queue one consumer waits on: trial threads push, the coordinator's loop takes.
final class EventQueue<Event: Sendable>: Sendable {
    private let items = Mutex<[Event]>([])
    private let signal = DispatchSemaphore(value: 0)

    func push(_ event: Event) {
        items.withLock { $0.append(event) }
        signal.signal()
    }

    /// The next event, or nil after `timeout` seconds.
    func next(timeout: Double) -> Event? {
        guard signal.wait(timeout: .now() + .nanoseconds(Int(max(timeout, 0) * 1e9))) == .success else { return nil }
        return items.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
