import Synchronization
import StewardSupport

/// Watches every step body of the process that runs longer than a second, for a cancel of its
/// run (or the run's deadline): one task ticks once a second while bodies run and checks each
/// body past its first second. A body that ends sooner (nearly all) costs a registration, not a
/// timer of its own.
final class StepWatch: Sendable {
    static let shared = StepWatch()

    /// How often a body past its first second is checked.
    static let interval = Duration.seconds(1)

    private struct Entry {
        let since: ContinuousClock.Instant
        /// Whether the body is to stop (its run asked to cancel, or its deadline passed).
        let check: @Sendable () async -> Bool
        let stop: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var next: UInt64 = 0
        var ticking = false
    }

    private let state = Mutex(State())

    /// Watches a body from now on until ``remove(_:)``; `stop` is called (once) when `check` says so.
    func add(check: @escaping @Sendable () async -> Bool, stop: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, start) = state.withLock { s -> (UInt64, Bool) in
            s.next &+= 1
            s.entries[s.next] = Entry(since: .now, check: check, stop: stop)
            defer { s.ticking = true }
            return (s.next, !s.ticking)
        }
        if start { Task.detached { await self.tick() } }
        return id
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Runs while bodies are watched; ends when none is (the next ``add(check:stop:)`` starts it again).
    private func tick() async {
        while true {
            try? await Task.sleep(for: Self.interval)
            // Decided under the lock: an `add` right after this sees `ticking` false and starts
            // the next ticker, so two never run.
            let due: [(UInt64, Entry)]? = state.withLock { s in
                if s.entries.isEmpty {
                    s.ticking = false
                    return nil
                }
                let old = ContinuousClock.now - Self.interval
                return s.entries.filter { $0.value.since <= old }.map { ($0.key, $0.value) }
            }
            guard let due else { return }
            await withTaskGroup(of: Void.self) { group in
                for (id, entry) in due {
                    group.addTask {
                        guard await entry.check() else { return }
                        // Stopped once: a body still running is no longer watched.
                        if self.state.withLock({ $0.entries.removeValue(forKey: id) }) != nil { entry.stop() }
                    }
                }
            }
        }
    }
}
