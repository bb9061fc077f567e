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
            let work = Task {
                do {
                    race.finish(.success(try await body()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled, race.finish(.failure(StoreCallTimedOut(operation: operation, timeout: timeout))) {
                    work.cancel()
                }
            }
            race.onFinish {
                timer.cancel()
                work.cancel()
            }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
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
