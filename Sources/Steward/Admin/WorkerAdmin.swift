import Foundation

/// Worker processes for every surface: `steward worker list`, `GET /api/v1/workers`, the
/// dashboard's Workers page.
public struct WorkerAdmin: Sendable {
    let store: any JobStore
    let clock: any StewardClock

    /// Creates the surface for `store`.
    public init(store: any JobStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Workers online first, then stopped and gone ones; most recently started first within each.
    public func list() async throws -> [WorkerView] {
        guard let store = store as? any WorkerPresenceStore else {
            throw StewardError.invalidArgument(field: "store", message: "store: this store keeps no worker presence")
        }
        let now = clock.now()
        let order: [WorkerPresence.State: Int] = [.online: 0, .stopped: 1, .gone: 2]
        return try await store.workers()
            .map { WorkerView($0, now: now) }
            .sorted { a, b in
                let (ra, rb) = (order[a.presenceState] ?? 3, order[b.presenceState] ?? 3)
                return ra != rb ? ra < rb : (a.startedAt != b.startedAt ? a.startedAt > b.startedAt : a.id < b.id)
            }
    }
}
