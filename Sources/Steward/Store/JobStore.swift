import Foundation

/// The one seam for persistence: everything durable goes through a `JobStore`.
///
/// Batch-first on the hot path (enqueue many, claim up to N, complete many, extend many).
/// Time is always passed in (`now`) so stores never read a clock themselves. Every method that
/// changes more than one row does so in one transaction. SQLite and PostgreSQL implement it and
/// pass the same `StoreConformance` suite.
///
/// This protocol holds jobs, queues and coordination. Schedules, workflows and pipelines have
/// their own contracts (``ScheduleStore``, ``WorkflowStore``, ``PipelineStore``), each refining
/// this one because their writes enqueue jobs in the same transaction; ``StewardStore`` is all of
/// them, what a surface (CLI, HTTP API) opens.
public protocol JobStore: Sendable {
    /// Creates or upgrades the schema; safe to call from many processes at once.
    func migrate() async throws

    /// Adds jobs in one transaction. A job whose unique key is held by a live job returns that
    /// job (`duplicate: true`). Fails with `StewardError.queueFull` without
    /// adding any job when a queue would exceed its max depth.
    func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueResult]

    /// Adds `job` under an idempotency key, in one transaction with the key: a key held (not
    /// expired) answers with its job, `replayed` for the same fingerprint and `conflict` for
    /// another, and enqueues nothing; a new or expired key enqueues and records the key.
    func enqueue(_ job: NewJob, idempotency: IdempotencyKey, now: Date) async throws -> IdempotentEnqueue

    /// Claims up to `limit` due jobs of `queue` for `owner`, by priority (highest first), then
    /// run-at, then id; counts the attempt and sets a lease until `leaseUntil`. Returns nothing
    /// for a paused queue. With `names`, only jobs of those names are claimed (a worker takes
    /// only what it has handlers for; other jobs stay available for the workers that do); `nil`
    /// claims every name.
    func claim(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> [ClaimedJob]

    /// Claims like ``claim(queue:names:limit:owner:leaseUntil:now:)`` and, when fewer than
    /// `limit` jobs were due, also answers ``nextRunAt(queue:after:)`` as of `now`: what a worker
    /// asks next, so it knows how long it may sleep. A store answers both in one round trip
    /// where it can; the default asks the two in turn.
    func claimWithNextRunAt(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> (jobs: [ClaimedJob], nextRunAt: Date?)

    /// Claims like ``claim(queue:names:limit:owner:leaseUntil:now:)``, but no more jobs than the
    /// queue's shared token bucket holds, taking one token per claimed job in the same
    /// transaction; the bucket lives in the store, so `rate` holds across every worker of every
    /// machine. A bucket starts full; every claim applies the `rate` it passes.
    func claim(
        queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date, sharedRate rate: RateLimit
    ) async throws -> RateLimitedClaim

    /// Applies finished attempts in one transaction; each only if the job is still running under
    /// its owner. Returns the ids that were applied.
    @discardableResult
    func complete(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID>

    /// Extends the leases `owner` still holds; returns the ids it still holds (a missing id was
    /// cancelled or rescued and its handler should stop).
    func extendLeases(_ ids: [JobID], owner: String, until: Date) async throws -> Set<JobID>

    /// Persists progress reports of running jobs held by their owners.
    func updateProgress(_ updates: [ProgressUpdate], now: Date) async throws

    /// Returns jobs whose lease expired to their queue (the attempt stays counted), or to dead
    /// letters when their attempts are spent.
    func rescueExpiredLeases(now: Date) async throws -> RescueReport

    /// Safety net for job dependencies (run by maintenance): releases waiting jobs whose parents
    /// have all finished or were purged, should a release have been missed. Returns how many.
    func sweepWaitingJobs(now: Date) async throws -> Int

    /// Cancels a job that has not finished. A running job's handler is stopped by its worker at
    /// the next lease extension.
    func cancel(_ id: JobID, now: Date) async throws -> JobRecord

    /// Makes a dead or cancelled job available again with a fresh set of attempts, back on its
    /// original queue.
    func retry(_ id: JobID, now: Date) async throws -> JobRecord

    /// One job, or `nil`.
    func job(_ id: JobID, now: Date) async throws -> JobRecord?

    /// Jobs matching `filter`, newest first.
    func jobs(_ filter: JobFilter, now: Date) async throws -> [JobRecord]

    /// The finished attempts of a job, oldest first.
    func history(_ id: JobID) async throws -> [AttemptRecord]

    /// Counts and rates for one queue.
    func queueStats(_ queue: String, now: Date) async throws -> QueueStats

    /// Every queue that has jobs or stored settings.
    func queues() async throws -> [QueueInfo]

    /// Stores queue settings (max depth, dead-letter queue, default attempts).
    func configureQueues(_ settings: [QueueSettings]) async throws

    /// Pauses or resumes a queue for every worker; survives restarts.
    func setPaused(_ paused: Bool, queue: String) async throws

    /// Deletes finished jobs (and their history) that finished before `before`, idempotency keys
    /// that expired before it, and code workflow runs that ended before it (their steps, messages
    /// and events); returns how many jobs.
    func purgeFinished(before: Date) async throws -> Int

    /// The earliest run-at after `now` among scheduled jobs of `queue`, so an idle worker can
    /// sleep until then.
    func nextRunAt(queue: String, after now: Date) async throws -> Date?

    /// Takes or renews the named lease for `owner` (for singleton duties); `true` when `owner`
    /// holds it until `now + ttl`.
    func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool

    /// Gives up the named lease if `owner` holds it.
    func releaseLease(name: String, owner: String) async throws

    /// A stream of queue names that may have new work (jobs enqueued, a queue resumed, jobs
    /// rescued); ``WakeupHub/anyQueue`` means any queue may. Wake-ups are hints: a worker still
    /// polls slowly as a safety net.
    func wakeups() -> AsyncStream<String>

    /// A stream that yields when jobs may have finished (succeeded, dead or cancelled): at once for
    /// this process's own writes, and through the store for other processes' (PostgreSQL
    /// `NOTIFY`; SQLite's `data_version`). Each element is a queue name, or
    /// ``WakeupHub/anyQueue`` when the queue is unknown. Hints, like ``wakeups()``: a waiter
    /// re-reads what it waits for, and polls slowly as a safety net.
    func finishedJobs() -> AsyncStream<String>

    /// The jobs with these ids, by id (missing ones left out).
    func jobs(ids: [JobID], now: Date) async throws -> [JobRecord]

    /// Releases connections and stops background tasks.
    func close() async throws
}

/// Every contract a complete store implements: what the CLI, the HTTP API and the dashboard use.
public typealias StewardStore = ScheduleStore & WorkflowStore & PipelineStore & DurableStore & WorkerPresenceStore & JobActivityStore

extension JobStore {
    public func claimWithNextRunAt(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> (jobs: [ClaimedJob], nextRunAt: Date?)
    {
        let jobs = try await claim(queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now)
        return (jobs, jobs.count < limit ? try await nextRunAt(queue: queue, after: now) : nil)
    }

    /// Gives up a singleton lease on shutdown, waiting at most `timeout`: an unreachable store
    /// must not hold up the rest of the shutdown (the lease expires by itself anyway).
    func releaseLeaseOnShutdown(name: String, owner: String, timeout: Duration = .seconds(2)) async {
        _ = try? await withStoreDeadline("releaseLease", timeout: timeout) {
            try await self.releaseLease(name: name, owner: owner)
        }
    }
}
