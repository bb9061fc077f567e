import Foundation

/// Workflow operations for every surface (CLI, HTTP API, dashboard): apply definitions, start,
/// inspect, cancel and retry executions.
public struct WorkflowAdmin: Sendable {
    let store: any WorkflowStore & PipelineStore
    let clock: any StewardClock

    /// Creates the control surface for `store`.
    public init(store: any WorkflowStore & PipelineStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// What applying one definition did.
    public struct Applied: Sendable, Equatable, Encodable {
        /// The workflow.
        public var name: String
        /// Its version.
        public var version: String
        /// `created`, or `unchanged` when the same body was stored already.
        public var status: String
    }

    /// Registers definitions (validated by the caller's parser or here). A stored name and
    /// version with a different body is an error: publish a new version instead.
    public func apply(_ definitions: [WorkflowDefinition]) async throws -> [Applied] {
        var out: [Applied] = []
        for definition in definitions {
            try definition.validate()
            let stored = try StoredWorkflow(definition, createdAt: clock.now())
            if try await store.insertWorkflow(stored) {
                out.append(Applied(name: definition.name, version: definition.version, status: "created"))
                continue
            }
            let existing = try await store.workflow(name: definition.name, version: definition.version)
            guard existing?.body == stored.body else {
                throw StewardError.invalidArgument(
                    field: "version", message: "workflow '\(definition.name)' version \(definition.version) is stored with a different body; give the change a new version")
            }
            out.append(Applied(name: definition.name, version: definition.version, status: "unchanged"))
        }
        return out
    }

    /// Starts an execution of the stored workflow `name` (its latest version unless `version`).
    public func run(_ name: String, version: String? = nil, input: JSONValue = .object([:])) async throws -> WorkflowRunRecord {
        guard let stored = try await store.workflow(name: name, version: version) else {
            let known = Set(try await store.workflows().map(\.definition.name)).sorted()
            throw StewardError.workflowNotFound(name + (version.map { "' version '\($0)" } ?? ""), known: known)
        }
        return try await WorkflowEngine.start(stored.definition, input: input, store: store, now: clock.now())
    }

    /// One execution, or an error naming the id.
    public func get(_ id: String) async throws -> WorkflowRunRecord {
        guard let run = try await store.workflowRun(id) else { throw StewardError.workflowRunNotFound(id) }
        return run
    }

    /// An execution with the state, attempts, output and error of each task (a code run: its steps).
    public func status(_ id: String) async throws -> WorkflowRunView {
        guard let run = try await store.workflowRun(id) else { return try await codeStatus(id) }
        let now = clock.now()
        let ids = run.taskJobIDs + run.compensations.map(\.job)
        let jobs = Dictionary(uniqueKeysWithValues: try await store.jobs(ids: ids, now: now).map { ($0.id, $0) })
        let compensated = Set(run.compensations.filter { jobs[$0.job]?.state == .succeeded }.map(\.task))
        let tasks = run.definition.tasks.map { task -> WorkflowRunView.TaskView in
            let taskJobs = run.tasks[task.name]
            var o = WorkflowEngine.outcome(of: taskJobs.flatMap { jobs[$0.job] })
            if let d = taskJobs?.dispatcher.flatMap({ jobs[$0] }), o.state == .pending {
                // A map task runs from its dispatcher's start until its collector ends.
                let dispatcher = WorkflowEngine.outcome(of: d)
                if [.running, .succeeded].contains(dispatcher.state) { o.state = .running }
                if dispatcher.state == .failed { o = dispatcher }
            }
            if compensated.contains(task.name) { o.state = .compensated }
            return WorkflowRunView.TaskView(
                name: task.name, job: task.job, dependsOn: task.dependsOn, state: o.state.rawValue, attempts: o.job?.attempt ?? 0, output: o.output,
                error: o.error, items: run.items[task.name]?.count, startedAt: o.job?.startedAt?.iso8601UTC,
                finishedAt: o.finishedAt?.iso8601UTC)
        }
        return WorkflowRunView(run, tasks: tasks)
    }

    /// The execution's log: the engine's events and every attempt of its tasks' jobs, by time.
    public func logs(_ id: String) async throws -> [WorkflowEventView] {
        guard let run = try await store.workflowRun(id) else { return try await codeLogs(id) }
        let now = clock.now()
        var events = try await store.workflowEvents(id)
        var jobTask: [JobID: String] = [:]
        for (name, t) in run.tasks {
            jobTask[t.job] = name
            if let d = t.dispatcher { jobTask[d] = name }
        }
        for c in run.compensations { jobTask[c.job] = c.task }
        let compensations = Set(run.compensations.map(\.job))
        for job in try await store.jobs(ids: Array(jobTask.keys), now: now) {
            let task = jobTask[job.id]
            let label: (String) -> String = { compensations.contains(job.id) ? "compensation \($0)" : $0 }
            events.append(WorkflowEvent(at: job.createdAt, kind: label("queued"), task: task, message: job.name))
            let outcome = WorkflowEngine.outcome(of: job)
            for a in try await store.history(job.id) {
                let marked = a.outcome == JobOutcome.HistoryName.succeeded.rawValue && [.skipped, .cancelled].contains(outcome.state)
                if !marked { events.append(WorkflowEvent(at: a.startedAt, kind: label("started"), task: task, attempt: a.attempt, worker: a.worker)) }
                let kind: String
                switch a.outcome {
                case JobOutcome.HistoryName.succeeded.rawValue: kind = marked ? outcome.state.rawValue : "succeeded"
                case JobOutcome.HistoryName.retry.rawValue, JobOutcome.HistoryName.rescued.rawValue: kind = "retried"
                case JobOutcome.HistoryName.dead.rawValue: kind = "failed"
                default: kind = a.outcome
                }
                let message = a.error.map { "\($0.type): \($0.message)" } ?? (marked ? outcome.reason : nil)
                events.append(
                    WorkflowEvent(at: a.finishedAt, kind: label(kind), task: task, attempt: a.attempt, worker: a.worker, message: message))
            }
            if job.state == .running, let started = job.startedAt {
                events.append(WorkflowEvent(at: started, kind: label("started"), task: task, attempt: job.attempt, worker: job.leaseOwner))
            }
            // A job that never ran (cancelled waiting, or a task skipped or left behind): one event
            // with its reason.
            if job.state == .cancelled, job.attempt == 0 || job.startedAt == nil {
                events.append(
                    WorkflowEvent(at: job.finishedAt ?? job.createdAt, kind: label(outcome.state.rawValue), task: task, message: outcome.reason))
            }
        }
        return events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map { WorkflowEventView($0.element) }
    }

    /// Cancels an execution: nothing new starts, running tasks are cancelled; it ends `cancelled`.
    /// A code run is cancelled at its next step boundary (a waiting one is woken for it).
    @discardableResult
    public func cancel(_ id: String) async throws -> WorkflowRunView {
        let now = clock.now()
        guard let run = try await store.workflowRun(id) else {
            _ = try await DurableRuns.cancel(store: try durableStore(id), id: id, now: now)
            return try await codeStatus(id)
        }
        @Sendable func refuse(_ state: String) -> StewardError {
            .invalidWorkflowTransition(run: id, from: state, action: "cancel", allowed: "only a running run is cancelled")
        }
        guard run.state == .running, !run.cancelRequested else {
            throw refuse(run.cancelRequested ? "being cancelled already" : run.state.rawValue)
        }
        let record = try await store.changeWorkflowRun(id, now: now) { current in
            guard var r = current else { return nil }
            guard r.state == .running, !r.cancelRequested else {
                throw refuse(r.cancelRequested ? "being cancelled already" : r.state.rawValue)
            }
            r.halted = true
            r.cancelRequested = true
            r.haltReason = "cancelled"
            r.updatedAt = now
            let record = r
            return WorkflowRunChange(events: [WorkflowEvent(at: now, kind: "cancel_requested")]) { _ in record }
        }
        guard let record else { throw StewardError.workflowRunNotFound(id) }
        try await WorkflowEngine.cancelUnfinished(record, store: store, now: now)
        if let timer = record.timer { _ = try? await store.cancel(timer, now: now) }
        return try await status(id)
    }

    /// Runs a failed or cancelled execution again from where it failed: succeeded (and skipped)
    /// tasks keep their outputs; the failed and cancelled tasks and everything downstream of them
    /// run again, in a new generation.
    /// A failed code run runs again from its last failed step (the rules of `workflow retry` in docs/durable.md).
    @discardableResult
    public func retry(_ id: String) async throws -> WorkflowRunView {
        let now = clock.now()
        guard let run = try await store.workflowRun(id) else {
            _ = try await DurableRuns.retry(store: try durableStore(id), id: id, now: now)
            return try await codeStatus(id)
        }
        guard run.state == .failed || run.state == .cancelled else {
            throw StewardError.invalidWorkflowTransition(
                run: id, from: run.state.rawValue, action: "retry", allowed: "only a failed or cancelled run is retried")
        }
        let outcomes = try await WorkflowEngine.outcomes(Set(run.definition.tasks.map(\.name)), in: run, store: store, now: now)
        var rerun = Set(run.definition.tasks.filter { ![.succeeded, .skipped].contains(outcomes[$0.name]?.state) }.map(\.name))
        for task in run.definition.topologicalOrder where task.dependsOn.contains(where: rerun.contains) { rerun.insert(task.name) }
        let keep = run.tasks.filter { !rerun.contains($0.key) }
        let generation = run.generation + 1
        let (jobs, assemble) = WorkflowEngine.plan(run.definition, runID: id, generation: generation, keep: keep, now: now)
        let again = rerun.sorted()
        let record = try await store.changeWorkflowRun(id, now: now) { current in
            guard let base = current, base.generation == run.generation, base.state.isFinished else {
                throw StewardError.invalidWorkflowTransition(
                    run: id, from: current?.state.rawValue ?? "gone", action: "retry",
                    allowed: "it changed meanwhile; look at it again")
            }
            let event = WorkflowEvent(at: now, kind: "retried", message: "generation \(generation): \(again.joined(separator: ", "))")
            return WorkflowRunChange(jobs: jobs, events: [event]) { results in
                let (tasks, finisher, timer) = assemble(results)
                var r = base
                r.tasks = tasks
                r.finisher = finisher
                r.timer = timer
                r.generation = generation
                r.state = .running
                r.output = nil
                r.error = nil
                r.halted = false
                r.haltReason = nil
                r.cancelRequested = false
                r.timedOut = false
                r.compensations = []
                r.compensationFinisher = nil
                for name in again { r.items[name] = nil }
                r.updatedAt = now
                r.finishedAt = nil
                return r
            }
        }
        guard let record else { throw StewardError.workflowRunNotFound(id) }
        // A retried run is a new pipeline execution (best effort, as at the first start).
        await PipelineAdmin(store: store).startWorkflowRun(id, workflow: run.workflow, at: now)
        _ = record
        return try await status(id)
    }

    /// Waits until the execution ends; throws `StewardError.invalidArgument` for an unknown
    /// id and `WorkflowWaitTimedOut` after `timeout`.
    public func wait(_ id: String, timeout: Duration) async throws -> WorkflowRunRecord {
        try await waitUntilEnded(id, timeout: timeout) {
            // The state column alone until it says finished: a run's record (with its whole
            // definition) is decoded once, not after every job that finishes.
            guard let state = try await store.workflowRunState(id) else { throw StewardError.workflowRunNotFound(id) }
            guard state.isFinished else { return nil }
            let run = try await get(id)
            return run.state.isFinished ? run : nil
        }
    }

    /// Reads `ended` again after every job that finishes (a run ends with one of its jobs), and
    /// at least once a second, until it returns a value; ``WorkflowWaitTimedOut`` after `timeout`.
    func waitUntilEnded<T>(_ id: String, timeout: Duration, _ ended: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        let finished = WakeSignal()
        let events = store.finishedJobs()
        let listener = Task { for await _ in events { finished.notify() } }
        defer { listener.cancel() }
        while true {
            if let value = try await ended() { return value }
            let left = deadline - ContinuousClock.now
            if left <= .zero { throw WorkflowWaitTimedOut(id: id) }
            await finished.wait(timeout: min(.seconds(1), left))
            try Task.checkCancellation()
        }
    }

    /// Executions matching `filter`, newest first, as every surface lists them: DAG and code runs.
    public func runs(_ filter: WorkflowRunFilter) async throws -> [WorkflowListView.Run] {
        let dag = try await store.workflowRuns(filter).map { (row: WorkflowListView.Run($0), at: $0.createdAt) }
        var code: [(row: WorkflowListView.Run, at: Date)] = []
        // A DAG-only state (compensated, …) has no code runs.
        if let durable = store as? any DurableStore, filter.state == nil || DurableRunRecord.State(rawValue: filter.state!.rawValue) != nil {
            code = try await durable.durableRuns(
                workflow: filter.workflow, state: filter.state.flatMap { DurableRunRecord.State(rawValue: $0.rawValue) }, limit: filter.limit
            ).map { (row: WorkflowListView.Run($0), at: $0.createdAt) }
        }
        return (dag + code).sorted { ($0.at, $0.row.id) > ($1.at, $1.row.id) }.prefix(filter.limit).map(\.row)
    }

    /// Stored definitions (every version) and the newest executions.
    public func list(limit: Int = 20) async throws -> WorkflowListView {
        let definitions = try await store.workflows()
        return WorkflowListView(
            workflows: definitions.map {
                .init(name: $0.definition.name, version: $0.definition.version, tasks: $0.definition.tasks.count, createdAt: $0.createdAt.iso8601UTC)
            },
            runs: try await runs(WorkflowRunFilter(limit: limit)))
    }
}

/// Waiting for an execution took longer than allowed.
public struct WorkflowWaitTimedOut: Error, Sendable, CustomStringConvertible {
    /// The execution.
    public var id: String
    public var description: String { "timed out waiting for workflow run \(id) (still running)" }
}
