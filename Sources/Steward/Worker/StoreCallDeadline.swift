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
public func withStoreDeadline<T: Sendable>(
    _ operation: String, timeout: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = StoreCallRace<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.start(continuation)
        let work = Task {
            do {
                race.finish(.success(try await body()))
            } catch {
                race.finish(.failure(error))
            }
        }
        let timer = DeadlineWatchdog.shared.schedule(at: .now + timeout) {
            if race.finish(.failure(StoreCallTimedOut(operation: operation, timeout: timeout))) { work.cancel() }
        }
        race.onFinish { DeadlineWatchdog.shared.cancel(timer) }
    }
}

/// One task watches every store call's deadline. A timer task per call cost two more context
/// switches on every call (its sleep, then its cancellation): a fifth of a single enqueue's time.
/// Deadlines fire within `resolution` of their instant, plenty for timeouts measured in seconds.
final class DeadlineWatchdog: Sendable {
    static let shared = DeadlineWatchdog()
    static let resolution = Duration.milliseconds(25)

    private struct State {
        var entries: [UInt64: (at: ContinuousClock.Instant, fire: @Sendable () -> Void)] = [:]
        var nextID: UInt64 = 0
        var running = false
    }
    private let state = Mutex(State())

    /// Runs `fire` at about `at` unless cancelled first.
    func schedule(at: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, start) = state.withLock { s -> (UInt64, Bool) in
            s.nextID += 1
            s.entries[s.nextID] = (at, fire)
            defer { s.running = true }
            return (s.nextID, !s.running)
        }
        if start { Task.detached { await self.run() } }
        return id
    }

    func cancel(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Fires what is due every `resolution`; ends when nothing is left to watch.
    private func run() async {
        while true {
            try? await Task.sleep(for: Self.resolution)
            let now = ContinuousClock.now
            let (due, done) = state.withLock { s -> ([@Sendable () -> Void], Bool) in
                let expired = s.entries.filter { $0.value.at <= now }
                for id in expired.keys { s.entries.removeValue(forKey: id) }
                if s.entries.isEmpty { s.running = false }
                return (expired.values.map(\.fire), s.entries.isEmpty)
            }
            for fire in due { fire() }
            if done { return }
        }
    }
}

/// Resumes the continuation once, with whichever of the call and the timer ends first.
private final class StoreCallRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var done = false
        var onFinish: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
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
            let c = s.continuation
            s.continuation = nil
            return (c, s.onFinish)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}
