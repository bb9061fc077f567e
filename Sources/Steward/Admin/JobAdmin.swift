import Foundation

/// Job operations for every surface (the CLI today, the HTTP API and dashboard next): one place
/// that reads, lists with paging, cancels and retries, one job or all that match a filter.
public struct JobAdmin: Sendable {
    let store: any JobStore
    let clock: any StewardClock

    /// Creates the control surface for `store`.
    public init(store: any JobStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Enqueues jobs (validated by the store; nothing is added if one is invalid).
    public func enqueue(_ jobs: [NewJob]) async throws -> [EnqueueResult] {
        try await StewardClient(store: store, clock: clock).enqueue(jobs)
    }

    /// Enqueues `job` under an idempotency key kept `retention` from now: a replay of the same
    /// request returns its job (`replayed: true`); a different request under a held key is
    /// `StewardError.idempotencyKeyReused`.
    public func enqueue(_ job: NewJob, idempotencyKey key: String, fingerprint: String, retention: Duration) async throws
        -> (record: JobRecord, replayed: Bool)
    {
        let now = clock.now()
        let idempotency = IdempotencyKey(key: key, fingerprint: fingerprint, expiresAt: now.addingTimeInterval(retention.seconds))
        switch try await StewardClient(store: store, clock: clock).enqueue(job, idempotency: idempotency) {
        case .created(let result): return (try await get(result.id), false)
        case .replayed(let id): return (try await get(id), true)
        case .conflict(let id): throw StewardError.idempotencyKeyReused(key: key, job: id)
        }
    }

    /// One job, or `StewardError.jobNotFound`.
    public func get(_ id: JobID) async throws -> JobRecord {
        guard let record = try await store.job(id, now: clock.now()) else { throw StewardError.jobNotFound(id) }
        return record
    }

    /// Jobs matching `filter`, newest first; page on with `filter.beforeID = page.last?.id`.
    public func list(_ filter: JobFilter) async throws -> [JobRecord] {
        guard filter.limit >= 1 else { throw StewardError.invalidArgument(field: "limit", message: "limit: must be at least 1, got \(filter.limit)") }
        if filter.retrying, let state = filter.state, state != .scheduled {
            throw StewardError.invalidArgument(
                field: "retrying", message: "retrying: retrying jobs are scheduled; state '\(state.rawValue)' excludes them")
        }
        return try await store.jobs(filter, now: clock.now())
    }

    /// A job's finished attempts, oldest first (`StewardError.jobNotFound` for an unknown id).
    public func history(_ id: JobID) async throws -> [AttemptRecord] {
        _ = try await get(id)
        return try await store.history(id)
    }

    /// Cancels a job that has not finished.
    public func cancel(_ id: JobID) async throws -> JobRecord {
        try await store.cancel(id, now: clock.now())
    }

    /// Runs a dead or cancelled job again on its original queue with fresh attempts.
    public func retry(_ id: JobID) async throws -> JobRecord {
        try await store.retry(id, now: clock.now())
    }

    /// Cancels every job matching `filter` (its `limit` is the page size). A job that finished
    /// between the listing and its cancel is skipped, not an error.
    public func cancelAll(_ filter: JobFilter) async throws -> BulkResultView {
        try await forEach(matching: filter) { try await cancel($0) }
    }

    /// Retries every dead or cancelled job matching `filter`. `filter.state` must be `dead` or
    /// `cancelled`: retrying "everything" is never meant.
    public func retryAll(_ filter: JobFilter) async throws -> BulkResultView {
        guard filter.state == .dead || filter.state == .cancelled else {
            throw StewardError.invalidArgument(field: "state", message: "state: a bulk retry needs state dead or cancelled")
        }
        return try await forEach(matching: filter) { try await retry($0) }
    }

    /// Pages through the matching jobs first (so jobs changed by the action are not met again),
    /// then applies `action` to each.
    private func forEach(matching filter: JobFilter, _ action: (JobID) async throws -> JobRecord) async throws
        -> BulkResultView
    {
        guard filter.queue != nil || filter.state != nil || filter.name != nil else {
            throw StewardError.invalidArgument(field: "filter", message: "filter: name at least one of queue, state, name for a bulk action")
        }
        var page = filter
        page.limit = max(1, min(filter.limit, 1_000))
        var ids: [JobID] = []
        while true {
            let rows = try await store.jobs(page, now: clock.now())
            ids += rows.map(\.id)
            guard rows.count == page.limit, let last = rows.last else { break }
            page.beforeID = last.id
        }
        var changed: [Int64] = []
        var skipped: [Int64] = []
        for id in ids {
            do {
                _ = try await action(id)
                changed.append(id.rawValue)
            } catch StewardError.invalidTransition, StewardError.jobNotFound, StewardError.invalidArgument {
                // Moved on since the listing, or (retry) another live job holds its unique key.
                skipped.append(id.rawValue)
            }
        }
        return BulkResultView(matched: ids.count, changed: changed, skipped: skipped)
    }
}
