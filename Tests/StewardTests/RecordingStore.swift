import Foundation
import Steward
import Synchronization

/// Forwards to a real store and records what the worker asks of it.
final class RecordingStore: StewardStore {
    let base: any StewardStore
    private let claims = Mutex<[(queue: String, limit: Int)]>([])
    /// When set, the first `complete` call never returns (as on a connection the server dropped).
    let hangFirstComplete: Bool
    private let completeCalls = Mutex(0)

    /// Runs after each claim returns, before the worker sees its jobs (to stall a claim in time).
    let afterClaim: (@Sendable () -> Void)?
    /// When set, `queueStats` waits until cancelled (a request that outlives its deadline).
    let hangQueueStats: Bool
    private let extensions = Mutex<[(ids: [JobID], until: Date)]>([])

    init(
        _ base: any StewardStore, hangFirstComplete: Bool = false, afterClaim: (@Sendable () -> Void)? = nil, hangQueueStats: Bool = false
    ) {
        self.base = base
        self.hangFirstComplete = hangFirstComplete
        self.afterClaim = afterClaim
        self.hangQueueStats = hangQueueStats
    }

    /// Every `extendLeases` call, in order.
    var leaseExtensions: [(ids: [JobID], until: Date)] { extensions.withLock { $0 } }

    var completeCallCount: Int { completeCalls.withLock { $0 } }

    /// The `limit` of every claim of `queue`, in order.
    func claimLimits(_ queue: String) -> [Int] {
        claims.withLock { $0.filter { $0.queue == queue }.map(\.limit) }
    }

    func claim(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> [ClaimedJob]
    {
        claims.withLock { $0.append((queue, limit)) }
        let jobs = try await base.claim(queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now)
        if !jobs.isEmpty { afterClaim?() }
        return jobs
    }

    func claim(
        queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date, sharedRate rate: RateLimit
    ) async throws -> RateLimitedClaim {
        claims.withLock { $0.append((queue, limit)) }
        return try await base.claim(
            queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now, sharedRate: rate)
    }

    func migrate() async throws { try await base.migrate() }
    func finishedJobs() -> AsyncStream<String> { base.finishedJobs() }
    func saveSchedules(_ records: [ScheduleRecord]) async throws { try await base.saveSchedules(records) }
    func schedules() async throws -> [ScheduleRecord] { try await base.schedules() }
    func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord] { try await base.dueSchedules(now: now, limit: limit) }
    func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws {
        try await base.setSchedulePaused(name, paused: paused, nextFireAt: nextFireAt)
    }
    func deleteSchedule(_ name: String) async throws { try await base.deleteSchedule(name) }
    func recordScheduleFires(_ fires: [ScheduleFire], now: Date) async throws -> [ScheduleFireResult] {
        try await base.recordScheduleFires(fires, now: now)
    }
    func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueResult] { try await base.enqueue(jobs, now: now) }
    func enqueue(_ job: NewJob, idempotency: IdempotencyKey, now: Date) async throws -> IdempotentEnqueue {
        try await base.enqueue(job, idempotency: idempotency, now: now)
    }
    func complete(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID> {
        let call = completeCalls.withLock { n -> Int in
            n += 1
            return n
        }
        if hangFirstComplete && call == 1 {
            // Ignores cancellation, like a query waiting on a dead connection.
            while true { try? await Task.sleep(for: .seconds(3600)) }
        }
        return try await base.complete(outcomes, now: now)
    }
    func extendLeases(_ ids: [JobID], owner: String, until: Date) async throws -> Set<JobID> {
        extensions.withLock { $0.append((ids, until)) }
        return try await base.extendLeases(ids, owner: owner, until: until)
    }
    func updateProgress(_ updates: [ProgressUpdate], now: Date) async throws { try await base.updateProgress(updates, now: now) }
    func rescueExpiredLeases(now: Date) async throws -> RescueReport { try await base.rescueExpiredLeases(now: now) }
    func sweepWaitingJobs(now: Date) async throws -> Int { try await base.sweepWaitingJobs(now: now) }
    func jobs(ids: [JobID], now: Date) async throws -> [JobRecord] { try await base.jobs(ids: ids, now: now) }
    func insertWorkflow(_ workflow: StoredWorkflow) async throws -> Bool { try await base.insertWorkflow(workflow) }
    func workflows() async throws -> [StoredWorkflow] { try await base.workflows() }
    func workflow(name: String, version: String?) async throws -> StoredWorkflow? { try await base.workflow(name: name, version: version) }
    func changeWorkflowRun(_ id: String, now: Date, _ decide: @escaping @Sendable (WorkflowRunRecord?) throws -> WorkflowRunChange?)
        async throws -> WorkflowRunRecord?
    { try await base.changeWorkflowRun(id, now: now, decide) }
    func workflowRun(_ id: String) async throws -> WorkflowRunRecord? { try await base.workflowRun(id) }
    func workflowRunState(_ id: String) async throws -> WorkflowRunState? { try await base.workflowRunState(id) }
    func workflowRuns(_ filter: WorkflowRunFilter) async throws -> [WorkflowRunRecord] { try await base.workflowRuns(filter) }
    func workflowEvents(_ id: String) async throws -> [WorkflowEvent] { try await base.workflowEvents(id) }
    func changeDurableRun(
        _ id: String, reading: DurableRead, now: Date, _ decide: @escaping @Sendable (DurableRunState) throws -> DurableChange
    ) async throws -> DurableChangeResult { try await base.changeDurableRun(id, reading: reading, now: now, decide) }
    func durableRun(_ id: String) async throws -> DurableRunRecord? { try await base.durableRun(id) }
    func startDurableRun(_ run: DurableRunRecord, job: NewJob, now: Date) async throws -> (run: DurableRunRecord, created: Bool) {
        try await base.startDurableRun(run, job: job, now: now)
    }
    func recordDurableSteps(_ run: String, _ steps: [DurableStepRecord]) async throws -> DurableRecorded {
        try await base.recordDurableSteps(run, steps)
    }
    func durableRuns(workflow: String?, state: DurableRunRecord.State?, limit: Int) async throws -> [DurableRunRecord] {
        try await base.durableRuns(workflow: workflow, state: state, limit: limit)
    }
    func durableSteps(_ run: String) async throws -> [DurableStepRecord] { try await base.durableSteps(run) }
    func durableHistory(_ run: String) async throws -> (run: DurableRunRecord, steps: [DurableStepRecord])? { try await base.durableHistory(run) }
    func durableEvent(_ run: String, key: String) async throws -> String? { try await base.durableEvent(run, key: key) }
    func recordWorker(_ presence: WorkerPresence, forgetBefore: Date) async throws { try await base.recordWorker(presence, forgetBefore: forgetBefore) }
    func workers() async throws -> [WorkerPresence] { try await base.workers() }
    func jobActivity(since: Date, now: Date) async throws -> JobActivity { try await base.jobActivity(since: since, now: now) }
    func dependents(of id: JobID) async throws -> [JobID] { try await base.dependents(of: id) }
    func pipelineCatalog() async throws -> PipelineCatalog { try await base.pipelineCatalog() }
    func pipeline(named name: String) async throws -> PipelineDefinition? { try await base.pipeline(named: name) }
    func applyPipelineCatalog(_ decide: @escaping @Sendable ([LineagePath]) throws -> PipelineCatalogChange) async throws
        -> PipelineCatalogChange
    { try await base.applyPipelineCatalog(decide) }
    func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath] { try await base.lineage(of: dataset, downstream: downstream) }
    func datasets() async throws -> [DatasetState] { try await base.datasets() }
    func touchDataset(_ name: String, at: Date) async throws -> Bool { try await base.touchDataset(name, at: at) }
    func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) async throws -> PipelineExecution {
        try await base.startPipelineExecution(pipeline: pipeline, parent: parent, at: at, workflowRun: workflowRun)
    }
    func finishPipelineExecution(
        _ id: Int64, _ decide: @escaping @Sendable (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (execution: PipelineExecution, jobs: [EnqueueResult]) { try await base.finishPipelineExecution(id, decide) }
    func pipelineExecution(_ id: Int64) async throws -> PipelineExecution? { try await base.pipelineExecution(id) }
    func pipelineExecutions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution] { try await base.pipelineExecutions(filter) }
    func pipelineExecutionTree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)] { try await base.pipelineExecutionTree(id) }
    func recordPipelineAnomalies(execution: Int64, _ anomalies: [PipelineAnomaly]) async throws {
        try await base.recordPipelineAnomalies(execution: execution, anomalies)
    }
    func pipelineAnomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly] { try await base.pipelineAnomalies(pipeline: pipeline, limit: limit) }
    func recordQualityRun(_ run: QualityRunRecord) async throws -> Int64 { try await base.recordQualityRun(run) }
    func qualityRuns(check: String, limit: Int) async throws -> [QualityRunRecord] { try await base.qualityRuns(check: check, limit: limit) }
    func qualityRunStats(check: String) async throws -> (count: Int, averageScore: Double?) { try await base.qualityRunStats(check: check) }
    func cancel(_ id: JobID, now: Date) async throws -> JobRecord { try await base.cancel(id, now: now) }
    func retry(_ id: JobID, now: Date) async throws -> JobRecord { try await base.retry(id, now: now) }
    func job(_ id: JobID, now: Date) async throws -> JobRecord? { try await base.job(id, now: now) }
    func jobs(_ filter: JobFilter, now: Date) async throws -> [JobRecord] { try await base.jobs(filter, now: now) }
    func history(_ id: JobID) async throws -> [AttemptRecord] { try await base.history(id) }
    func queueStats(_ queue: String, now: Date) async throws -> QueueStats {
        if hangQueueStats { try await Task.sleep(for: .seconds(3600)) }
        return try await base.queueStats(queue, now: now)
    }
    func queues() async throws -> [QueueInfo] { try await base.queues() }
    func configureQueues(_ settings: [QueueSettings]) async throws { try await base.configureQueues(settings) }
    func setPaused(_ paused: Bool, queue: String) async throws { try await base.setPaused(paused, queue: queue) }
    func purgeFinished(before: Date) async throws -> Int { try await base.purgeFinished(before: before) }
    func nextRunAt(queue: String, after now: Date) async throws -> Date? { try await base.nextRunAt(queue: queue, after: now) }
    func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool {
        try await base.acquireLease(name: name, owner: owner, ttl: ttl, now: now)
    }
    func releaseLease(name: String, owner: String) async throws { try await base.releaseLease(name: name, owner: owner) }
    func wakeups() -> AsyncStream<String> { base.wakeups() }
    func close() async throws { try await base.close() }
}
