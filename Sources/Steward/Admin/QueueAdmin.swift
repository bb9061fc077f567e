import Foundation

/// Queue operations for every surface (the CLI today): statistics, listing, pause and resume,
/// with unknown names refused rather than answered with zeros or silently created.
public struct QueueAdmin: Sendable {
    let store: any JobStore
    let clock: any StewardClock

    /// Creates the control surface for `store`.
    public init(store: any JobStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Every queue that has jobs or stored settings.
    public func list() async throws -> [QueueInfo] { try await store.queues() }

    /// Statistics of a known queue, or `StewardError.queueNotFound`.
    public func stats(_ name: String) async throws -> QueueStats {
        try await requireKnown(name)
        return try await store.queueStats(name, now: clock.now())
    }

    /// Pauses a queue for every worker. A queue never seen is refused unless `create` is set
    /// (pausing ahead of the first enqueue), so a typo does not make a new queue.
    public func pause(_ name: String, create: Bool = false) async throws {
        if create { try NewJob.checkName(name, field: "queue") } else { try await requireKnown(name) }
        try await store.setPaused(true, queue: name)
    }

    /// Lets workers start jobs of a paused queue again.
    public func resume(_ name: String) async throws {
        try await requireKnown(name)
        try await store.setPaused(false, queue: name)
    }

    private func requireKnown(_ name: String) async throws {
        let known = try await store.queues().map(\.name)
        guard known.contains(name) else { throw StewardError.queueNotFound(name, known: known.sorted()) }
    }
}
