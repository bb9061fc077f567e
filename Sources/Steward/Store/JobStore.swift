import Foundation

/// The one seam for persistence: everything durable goes through a `JobStore`.
///
/// Batch-first on the hot path (enqueue many, claim up to N, complete many, extend many).
/// Time is always passed in (`now`) so stores never read a clock themselves. Every method that
/// changes more than one row does so in one transaction. SQLite and PostgreSQL implement it and
/// pass the same `StoreConformance` suite.
public protocol JobStore: Sendable {
    /// Creates or upgrades the schema; safe to call from many processes at once.
    func migrate() async throws

    /// Adds jobs in one transaction. A job whose unique key is held by a live job returns that
    /// job (`duplicate: true`). Fails with ``StewardError/queueFull(queue:maxDepth:)`` without
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

    /// Deletes finished jobs (and their history) that finished before `before`, and idempotency
    /// keys that expired before it; returns how many jobs.
    func purgeFinished(before: Date) async throws -> Int

    /// The earliest run-at after `now` among scheduled jobs of `queue`, so an idle worker can
    /// sleep until then.
    func nextRunAt(queue: String, after now: Date) async throws -> Date?

    /// Takes or renews the named lease for `owner` (for singleton duties); `true` when `owner`
    /// holds it until `now + ttl`.
    func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool

    /// Gives up the named lease if `owner` holds it.
    func releaseLease(name: String, owner: String) async throws

    /// Stores schedule definitions in one transaction: a new name is inserted whole; an existing
    /// one gets the record's definition and next fire, keeping its paused flag and counters.
    func saveSchedules(_ records: [ScheduleRecord]) async throws

    /// Every stored schedule, by name.
    func schedules() async throws -> [ScheduleRecord]

    /// Unpaused schedules whose next fire is at or before `now`, earliest first, at most `limit`.
    func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord]

    /// Pauses or resumes a schedule, setting its next fire. Throws
    /// ``StewardError/scheduleNotFound(_:)`` for an unknown name.
    func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws

    /// Deletes a stored schedule (jobs it enqueued stay). Throws
    /// ``StewardError/scheduleNotFound(_:)`` for an unknown name.
    func deleteSchedule(_ name: String) async throws

    /// Applies firings in one transaction, each as ``ScheduleFire`` describes; one result per
    /// firing, in order.
    func recordScheduleFires(_ fires: [ScheduleFire], now: Date) async throws -> [ScheduleFireResult]

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

    // MARK: workflows (decided by the workflow engine; the store keeps and executes)

    /// Stores a definition under its name and version; `false` (and nothing written) when that
    /// name and version are stored already.
    func insertWorkflow(_ workflow: StoredWorkflow) async throws -> Bool

    /// Every stored definition, every version, by name then age.
    func workflows() async throws -> [StoredWorkflow]

    /// One version of a definition; the latest applied when `version` is `nil`.
    func workflow(name: String, version: String?) async throws -> StoredWorkflow?

    /// Reads execution `id` (or `nil`, for a new one) under a write lock and asks `decide` for a
    /// change; enqueues the change's jobs, writes the record it builds from their ids and appends
    /// its events, all in one transaction. Returns the record as written (the current one when
    /// `decide` returns `nil`).
    func changeWorkflowRun(_ id: String, now: Date, _ decide: @escaping @Sendable (WorkflowRunRecord?) throws -> WorkflowRunChange?)
        async throws -> WorkflowRunRecord?

    /// One execution, or `nil`.
    func workflowRun(_ id: String) async throws -> WorkflowRunRecord?

    /// Executions matching `filter`, newest first.
    func workflowRuns(_ filter: WorkflowRunFilter) async throws -> [WorkflowRunRecord]

    /// An execution's log as the engine wrote it, oldest first.
    func workflowEvents(_ id: String) async throws -> [WorkflowEvent]

    // MARK: pipelines (docs/pipelines.md; rules in PipelineRules, the store keeps rows)

    /// The stored pipelines and declared datasets.
    func pipelineCatalog() async throws -> PipelineCatalog

    /// One stored pipeline, or `nil`.
    func pipeline(named name: String) async throws -> PipelineDefinition?

    /// In one transaction: reads the stored lineage closure, asks `decide` for the change (which
    /// may throw, writing nothing), and writes it: exactly the change's pipelines, datasets
    /// (keeping each dataset's last modification) and closure rows.
    func applyPipelineCatalog(_ decide: @escaping @Sendable ([LineagePath]) throws -> PipelineCatalogChange) async throws
        -> PipelineCatalogChange

    /// Closure rows from `dataset` downstream (it is the ancestor) or upstream (it is the
    /// descendant), itself excluded, by depth then name.
    func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath]

    /// Every known dataset (declared, or read or written by a pipeline), by name.
    func datasets() async throws -> [DatasetState]

    /// Marks a dataset modified at `at` (kept when a later modification is stored); `false`
    /// when the dataset is not known.
    func touchDataset(_ name: String, at: Date) async throws -> Bool

    /// Inserts a running execution (and its rows in the execution hierarchy's closure table).
    /// Throws ``PipelineError/executionNotFound(_:)`` for an unknown parent, writing nothing.
    func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) async throws -> PipelineExecution

    /// Reads the execution and its pipeline's definition under a write lock, asks `decide`, and
    /// writes the finished record, the touched datasets' last modification and the change's jobs
    /// in one transaction. Returns the record and the jobs' enqueue results.
    func finishPipelineExecution(
        _ id: Int64, _ decide: @escaping @Sendable (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (execution: PipelineExecution, jobs: [EnqueueResult])

    /// One execution, or `nil`.
    func pipelineExecution(_ id: Int64) async throws -> PipelineExecution?

    /// Executions matching `filter`.
    func pipelineExecutions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution]

    /// The execution and everything under it, with the depth below it, by depth then id.
    func pipelineExecutionTree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)]

    /// Replaces the anomalies recorded for `execution` (a retried check writes once).
    func recordPipelineAnomalies(execution: Int64, _ anomalies: [PipelineAnomaly]) async throws

    /// Recorded anomalies, newest first.
    func pipelineAnomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly]

    /// Stores a batch check's run; returns its id.
    func recordQualityRun(_ run: QualityRunRecord) async throws -> Int64

    /// A check's newest runs, newest first.
    func qualityRuns(check: String, limit: Int) async throws -> [QualityRunRecord]

    /// How many runs a check has, and their average score (`nil` with none).
    func qualityRunStats(check: String) async throws -> (count: Int, averageScore: Double?)

    /// Releases connections and stops background tasks.
    func close() async throws
}

extension JobStore {
    /// Gives up a singleton lease on shutdown, waiting at most `timeout`: an unreachable store
    /// must not hold up the rest of the shutdown (the lease expires by itself anyway).
    func releaseLeaseOnShutdown(name: String, owner: String, timeout: Duration = .seconds(2)) async {
        _ = try? await withStoreDeadline("releaseLease", timeout: timeout) {
            try await self.releaseLease(name: name, owner: owner)
        }
    }
}
