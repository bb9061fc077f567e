import Synchronization

/// The error for a store call that did not return within the worker's `storeCallTimeout`.
public struct StoreCallTimedOut: Error, Sendable, CustomStringConvertible {
    /// The store operation.
    public var operation: String
    /// The deadline it missed.
    public var timeout: Duration
    public var description: String {
        "store call '\(operation)' did not return within \(timeout.seconds)s; abandoned and retried"
    }
}

/// Runs `body` with a deadline. A call can hang when the database drops a connection mid-query
/// (seen with a PostgreSQL restart); the worker must not wait on it forever: past the deadline
/// the call is cancelled and abandoned, and the caller retries (every write is guarded, so a
/// retried call that had in fact committed changes nothing).
package func withStoreDeadline<T: Sendable>(
    _ operation: String, timeout: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = StoreCallRace<T>()
    // The call runs in its own task so a hung call can be abandoned; cancelling the caller
    // abandons it too (a shutting-down service must not wait out the deadline).
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            guard race.start(continuation) else { return }
            let run: @Sendable () async -> Void = {
                do {
                    race.finish(.success(try await body()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            // Started at once on this thread, up to its first suspension (sending the query), rather
            // than on another thread after a hop: a store call costs one thread switch less (PostgreSQL
            // code-run step overhead ~6 % lower, docs/benchmarks.md).
            let work: Task<Void, Never>
            if #available(macOS 26, *) { work = Task.immediate(operation: run) } else { work = Task(operation: run) }
            let watch = DeadlineWatcher.shared.add(ContinuousClock.now + timeout) {
                if race.finish(.failure(StoreCallTimedOut(operation: operation, timeout: timeout))) { work.cancel() }
            }
            race.onFinish {
                DeadlineWatcher.shared.remove(watch)
                work.cancel()
            }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// Resumes the continuation once, with whichever of the call and its deadline ends first.
private final class StoreCallRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var done = false
        var onFinish: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    /// Returns false when the race already ended (the caller was cancelled first); the
    /// continuation has then been resumed.
    func start(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let early = state.withLock { s -> Result<T, any Error>? in
            guard s.done else {
                s.continuation = continuation
                return nil
            }
            return s.pending ?? .failure(CancellationError())
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.done { return true }
            s.onFinish = action
            return false
        }
        if runNow { action() }
    }

    /// Returns whether this result won.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, action) = state.withLock { s -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !s.done else { return (nil, nil) }
            s.done = true
            guard let c = s.continuation else {
                s.pending = result
                return (nil, nil)
            }
            s.continuation = nil
            return (c, s.onFinish)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}

/// Every store call's deadline, watched by one task: a timer task per call cost a task, a
/// dispatch timer and two wake-ups on every call, where a deadline of seconds needs none of that
/// precision. The task ticks every `tick` while calls are out and parks (no CPU) when none are.
final class DeadlineWatcher: Sendable {
    static let shared = DeadlineWatcher()
    private static let tick = Duration.milliseconds(50)

    private struct State {
        var next = 0
        var entries: [Int: (deadline: ContinuousClock.Instant, fire: @Sendable () -> Void)] = [:]
        var parked: CheckedContinuation<Void, Never>?
        var started = false
    }
    private let state = Mutex(State())

    /// Calls `fire` once, soon after `deadline`, unless `remove` came first.
    func add(_ deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) -> Int {
        let (id, wake, start) = state.withLock { s -> (Int, CheckedContinuation<Void, Never>?, Bool) in
            s.next &+= 1
            s.entries[s.next] = (deadline, fire)
            let wake = s.parked
            s.parked = nil
            let start = !s.started
            s.started = true
            return (s.next, wake, start)
        }
        wake?.resume()
        if start { Task.detached { await self.watch() } }
        return id
    }

    func remove(_ id: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    private func watch() async {
        while true {
            let now = ContinuousClock.now
            let (due, empty) = state.withLock { s -> ([@Sendable () -> Void], Bool) in
                let expired = s.entries.filter { $0.value.deadline <= now }
                for key in expired.keys { s.entries.removeValue(forKey: key) }
                return (expired.values.map(\.fire), s.entries.isEmpty)
            }
            for fire in due { fire() }
            if empty {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { s -> Bool in
                        guard s.entries.isEmpty else { return true }
                        s.parked = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            } else {
                try? await Task.sleep(for: Self.tick)
            }
        }
    }
}
