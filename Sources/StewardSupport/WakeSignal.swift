import Synchronization

/// A latching async event: `notify()` wakes every current waiter, or, when none waits, makes
/// the next `wait` return at once. Waits end early on timeout or task cancellation.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var active: Set<UInt64> = []
        var woken: Set<UInt64> = []
    }
    private let state = Mutex(State())

    /// Creates a signal with nothing pending.
    public init() {}

    /// Wakes all waiters, or latches for the next one.
    public func notify() {
        let toResume: [CheckedContinuation<Void, Never>] = state.withLock { s in
            if s.waiters.isEmpty {
                s.pending = true
                return []
            }
            let all = Array(s.waiters.values)
            s.waiters.removeAll(keepingCapacity: true)
            return all
        }
        for c in toResume { c.resume() }
    }

    /// Waits for a notification, at most `timeout` (forever when `nil`).
    public func wait(timeout: Duration? = nil) async {
        let id: UInt64? = state.withLock { s in
            if s.pending {
                s.pending = false
                return nil
            }
            s.nextID &+= 1
            s.active.insert(s.nextID)
            return s.nextID
        }
        guard let id else { return }
        let timer: Task<Void, Never>? = timeout.map { t in
            Task { [weak self] in
                do {
                    try await Task.sleep(for: t)
                    self?.wake(id)
                } catch {}
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now: Bool = state.withLock { s in
                    if s.woken.remove(id) != nil || s.pending {
                        s.pending = false
                        return true
                    }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            wake(id)
        }
        timer?.cancel()
        state.withLock { s in
            s.active.remove(id)
            s.woken.remove(id)
        }
    }

    private func wake(_ id: UInt64) {
        let c: CheckedContinuation<Void, Never>? = state.withLock { s in
            if let c = s.waiters.removeValue(forKey: id) { return c }
            if s.active.contains(id) { s.woken.insert(id) }
            return nil
        }
        c?.resume()
    }
}
