import Foundation
import Synchronization

/// Fans wake-ups out to every subscriber of a store's ``JobStore/wakeups()``.
public final class WakeupHub: Sendable {
    /// The name sent when any queue may have new work (e.g. another process wrote).
    public static let anyQueue = "*"

    private let subscribers = Mutex<[UInt64: AsyncStream<String>.Continuation]>([:])
    private let nextID = Atomic<UInt64>(0)

    /// Creates a hub with no subscribers.
    public init() {}

    /// Whether anyone listens.
    public var hasSubscribers: Bool { subscribers.withLock { !$0.isEmpty } }

    /// A new stream of wake-ups; it ends when its consumer is cancelled.
    public func stream() -> AsyncStream<String> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(64))
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// Wakes every subscriber for each of `queues`.
    public func emit<S: Sequence>(_ queues: S) where S.Element == String {
        let targets = subscribers.withLock { Array($0.values) }
        guard !targets.isEmpty else { return }
        for queue in queues {
            for c in targets { c.yield(queue) }
        }
    }

    /// Ends every stream.
    public func finish() {
        let targets = subscribers.withLock { map -> [AsyncStream<String>.Continuation] in
            defer { map.removeAll() }
            return Array(map.values)
        }
        for c in targets { c.finish() }
    }
}
