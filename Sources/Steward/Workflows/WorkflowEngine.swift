import Foundation
import Logging
import Metrics

/// Runs workflows on the job system: every decision is taken here, in Swift, once.
///
/// An execution is planned as jobs up front: one per task (a dispatcher and a collector for a
/// map task), each depending on the jobs of its upstream tasks, plus a finisher that depends on
/// every task and a timer for the workflow's timeout. The stores release a task's job in the
/// transaction that finishes its last upstream job, so no coordinator sits between tasks. When a
/// task's job starts, the engine reads how its upstream tasks ended, applies the trigger rule and
/// the `when` condition, renders the input and calls the job's handler; the finisher decides the
/// execution's outcome and starts compensation. All state is in the store, so any worker on any
/// machine carries on after a crash.
public enum WorkflowEngine {
    /// Metadata keys on the jobs of an execution.
    public enum Key {
        /// The execution's id.
        public static let run = "steward.workflow.run"
        /// The task's name.
        public static let task = "steward.workflow.task"
        /// What the job does for the execution (see ``Role``).
        public static let role = "steward.workflow.role"
        /// The generation (retry round) that made the job.
        public static let generation = "steward.workflow.generation"
        /// A map item's index.
        public static let index = "steward.workflow.index"
    }

    /// What a job does for its execution.
    public enum Role: String, Sendable {
        case task, dispatch, collect, item, finish, timeout, compensate, compensated
    }

    /// The names of the engine's own jobs.
    public enum JobName {
        public static let dispatch = "steward.workflow.dispatch"
        public static let collect = "steward.workflow.collect"
        public static let finish = "steward.workflow.finish"
        public static let timeout = "steward.workflow.timeout"
        public static let compensated = "steward.workflow.compensated"
        /// Every one of them: a worker runs these whatever its registry holds.
        public static let all = [dispatch, collect, finish, timeout, compensated]
    }

    /// Thrown by a task's job when the task does not run (skipped by its trigger or condition, or
    /// cancelled because its execution ended or moved on): the worker ends the job `cancelled`
    /// with this reason, the attempt not counted (``JobOutcome/Kind/notRun(reason:)``).
    public struct NotRun: Error, Sendable, CustomStringConvertible {
        /// `skipped` or `cancelled`.
        public var state: WorkflowTaskState
        /// Why, in words (`when: … is false`, `trigger all_success: upstream 'a' failed`).
        public var reason: String
        /// The job's error as stored: its type tells a skip from a cancellation.
        var info: JobErrorInfo { JobErrorInfo(type: Self.typePrefix + state.rawValue, message: reason, attempt: 0) }
        static let typePrefix = "steward.workflow."
        public var description: String { "\(state.rawValue): \(reason)" }
    }

    /// The result a task's job ended with when the task did not run, in stores written before
    /// ``NotRun`` (read only).
    static let markerKey = "steward.workflow"

    /// The engine's own jobs retry a few times on store trouble; their decisions are deterministic.
    static let systemRetry = RetryPolicy.fixed(maxAttempts: 5, delay: .seconds(1), jitter: 0.2)

    // MARK: planning

    /// The jobs of the tasks not in `keep` (which keep their finished jobs), a finisher and a
    /// timer, and how to record their ids once enqueued.
    static func plan(
        _ definition: WorkflowDefinition, runID: String, generation: Int, keep: [String: WorkflowRunRecord.TaskJobs], now: Date
    ) -> (jobs: [NewJob], assemble: @Sendable ([EnqueueResult]) -> (tasks: [String: WorkflowRunRecord.TaskJobs], finisher: JobID, timer: JobID?)) {
        let runQueue = definition.tasks.first?.queue ?? "default"
        func metadata(_ role: Role, task: String?) -> [String: String] {
            var m = [Key.run: runID, Key.role: role.rawValue, Key.generation: "\(generation)"]
            if let task { m[Key.task] = task }
            return m
        }
        var jobs: [NewJob] = []
        var output: [String: Int] = [:]  // task -> index of the job whose end is its end
        var dispatchers: [String: Int] = [:]
        for task in definition.topologicalOrder where keep[task.name] == nil {
            let kept = task.dependsOn.compactMap { keep[$0]?.job }
            let batch = task.dependsOn.compactMap { output[$0] }
            let queue = task.queue ?? "default"
            if task.map != nil {
                dispatchers[task.name] = jobs.count
                jobs.append(
                    NewJob(
                        queue: queue, name: JobName.dispatch, priority: task.priority ?? 0, retryPolicy: systemRetry,
                        metadata: metadata(.dispatch, task: task.name), dependsOn: kept, dependsOnBatch: batch))
                output[task.name] = jobs.count
                jobs.append(
                    NewJob(
                        queue: queue, name: JobName.collect, priority: task.priority ?? 0, retryPolicy: systemRetry,
                        metadata: metadata(.collect, task: task.name), dependsOnBatch: [jobs.count - 1]))
            } else {
                output[task.name] = jobs.count
                jobs.append(
                    NewJob(
                        queue: queue, name: task.job, priority: task.priority ?? 0, retryPolicy: task.retry ?? .default,
                        metadata: metadata(.task, task: task.name), dependsOn: kept, dependsOnBatch: batch))
            }
        }
        let finisherIndex = jobs.count
        jobs.append(
            NewJob(
                queue: runQueue, name: JobName.finish, retryPolicy: systemRetry, metadata: metadata(.finish, task: nil),
                dependsOn: keep.values.map(\.job).sorted(), dependsOnBatch: output.values.sorted()))
        var timerIndex: Int? = nil
        if let timeout = definition.timeoutSeconds {
            timerIndex = jobs.count
            jobs.append(
                NewJob(
                    queue: runQueue, name: JobName.timeout, runAt: now.addingTimeInterval(timeout), retryPolicy: systemRetry,
                    metadata: metadata(.timeout, task: nil)))
        }
        let (outputs, dispatcherIndexes, timer) = (output, dispatchers, timerIndex)
        return (
            jobs,
            { results in
                var tasks = keep
                for (name, index) in outputs {
                    tasks[name] = .init(job: results[index].id, dispatcher: dispatcherIndexes[name].map { results[$0].id }, generation: generation)
                }
                return (tasks, results[finisherIndex].id, timer.map { results[$0].id })
            }
        )
    }

    /// Starts an execution of `definition`; returns its record.
    static func start(_ definition: WorkflowDefinition, input: JSONValue, store: any WorkflowStore & PipelineStore, now: Date) async throws -> WorkflowRunRecord {
        let runID = "wr-" + UUID().uuidString.lowercased()
        let (jobs, assemble) = plan(definition, runID: runID, generation: 1, keep: [:], now: now)
        let events = [WorkflowEvent(at: now, kind: "created", message: "workflow \(definition.name) version \(definition.version)")]
        let record = try await store.changeWorkflowRun(runID, now: now) { current in
            guard current == nil else { throw StewardError.invalidArgument(field: "id", message: "workflow run \(runID) exists already") }
            return WorkflowRunChange(jobs: jobs, events: events) { results in
                let (tasks, finisher, timer) = assemble(results)
                return WorkflowRunRecord(
                    id: runID, definition: definition, state: .running, input: input, output: nil, error: nil, tasks: tasks,
                    finisher: finisher, timer: timer, compensations: [], compensationFinisher: nil, generation: 1, halted: false,
                    haltReason: nil, cancelRequested: false, createdAt: now, updatedAt: now, finishedAt: nil)
            }
        }
        guard let record else { throw StewardError.storeUnavailable("workflow run \(runID) was not written") }
        // The execution is also a pipeline execution (docs/pipelines.md). Best effort: a miss here
        // is made up when the execution ends.
        await PipelineAdmin(store: store).startWorkflowRun(runID, workflow: definition.name, at: now)
        return record
    }

    /// Finishes the pipeline execution mirroring `run` (docs/pipelines.md): task counts by state
    /// and the numeric `metrics` object of each task's output, summed by key; the pipeline side
    /// (``PipelineAdmin/finishWorkflowRun(_:workflow:startedAt:succeeded:metrics:at:)``) decides
    /// what it keeps. Best effort: the workflow's outcome never depends on it.
    static func recordPipelineExecution(
        _ run: WorkflowRunRecord, _ state: WorkflowRunState, store: any WorkflowStore & PipelineStore, now: Date
    ) async {
        let names = Set(run.definition.tasks.map(\.name))
        guard let outcomes = try? await outcomes(names, in: run, store: store, now: now) else { return }
        var metrics: [String: Double] = ["tasks": Double(names.count)]
        for state in [WorkflowTaskState.succeeded, .failed, .skipped, .cancelled] {
            metrics["tasks_\(state.rawValue)"] = Double(outcomes.values.filter { $0.state == state }.count)
        }
        for outcome in outcomes.values {
            guard case .object(let o)? = outcome.output, case .object(let reported)? = o["metrics"] else { continue }
            for (key, value) in reported {
                if let n = value.numeric { metrics[key, default: 0] += n }
            }
        }
        await PipelineAdmin(store: store).finishWorkflowRun(
            run.id, workflow: run.workflow, startedAt: run.updatedAt, succeeded: state == .succeeded, metrics: metrics, at: now)
    }

    // MARK: outcomes of tasks

    /// How a task ended (or where it stands), read from its jobs.
    struct Outcome: Sendable {
        var state: WorkflowTaskState
        var output: JSONValue?
        var error: String?
        var finishedAt: Date?
        var job: JobRecord?
        /// Why it was skipped or not run.
        var reason: String?
    }


    /// A task's state from its job (the job's result says when it was skipped or not run).
    static func outcome(of job: JobRecord?) -> Outcome {
        guard let job else { return Outcome(state: .pending) }
        switch job.state {
        case .waiting: return Outcome(state: .pending, job: job)
        case .scheduled, .available: return Outcome(state: .waiting, job: job)
        case .running: return Outcome(state: .running, job: job)
        case .dead:
            let error = job.lastError.map { "\($0.type): \($0.message)" } ?? "failed"
            return Outcome(state: .failed, error: error, finishedAt: job.finishedAt, job: job)
        case .cancelled:
            if let error = job.lastError, error.type.hasPrefix(NotRun.typePrefix),
                let state = WorkflowTaskState(rawValue: String(error.type.dropFirst(NotRun.typePrefix.count)))
            {
                return Outcome(
                    state: state, error: state == .skipped ? nil : error.message, finishedAt: job.finishedAt, job: job,
                    reason: error.message)
            }
            return Outcome(state: .cancelled, error: "cancelled", finishedAt: job.finishedAt, job: job)
        case .succeeded:
            let value = job.result.flatMap(JSONValue.init(parsing:)) ?? (job.result.map { .string($0) } ?? .null)
            if case .object(let o) = value, case .string(let s)? = o[markerKey], let state = WorkflowTaskState(rawValue: s) {
                let reason = o["reason"].flatMap { if case .string(let r) = $0 { r } else { nil } }
                return Outcome(state: state, error: state == .skipped ? nil : reason, finishedAt: job.finishedAt, job: job, reason: reason)
            }
            return Outcome(state: .succeeded, output: value, finishedAt: job.finishedAt, job: job)
        }
    }

    /// The outcomes of `names`, read in one call (none when `known` already holds their jobs).
    static func outcomes(
        _ names: Set<String>, in run: WorkflowRunRecord, store: any WorkflowStore & PipelineStore, now: Date, known: [JobRecord] = []
    ) async throws -> [String: Outcome] {
        let ids = names.compactMap { run.tasks[$0]?.job }
        var jobs = Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = ids.filter { jobs[$0] == nil }
        if !missing.isEmpty { for job in try await store.jobs(ids: missing, now: now) { jobs[job.id] = job } }
        var out: [String: Outcome] = [:]
        for name in names { out[name] = outcome(of: run.tasks[name].flatMap { jobs[$0.job] }) }
        return out
    }

    /// The scope templates and conditions read: the input and the named tasks.
    static func scope(_ run: WorkflowRunRecord, _ outcomes: [String: Outcome]) -> JSONValue {
        var tasks: [String: JSONValue] = [:]
        for (name, o) in outcomes {
            tasks[name] = .object([
                "output": o.output ?? .null, "state": .string(o.state.rawValue), "error": o.error.map { .string($0) } ?? .null,
            ])
        }
        return .object(["input": run.input, "tasks": .object(tasks)])
    }

    /// Why `trigger` does not let a task run, given its upstream tasks' states; `nil` if it runs.
    static func blocked(_ trigger: WorkflowTask.Trigger, upstream: [(String, WorkflowTaskState)]) -> String? {
        guard !upstream.isEmpty else { return nil }
        let states = upstream.map(\.1)
        let named = { (state: WorkflowTaskState) in upstream.filter { $0.1 == state }.map { "'\($0.0)'" }.joined(separator: ", ") }
        switch trigger {
        case .allSuccess:
            guard let bad = upstream.first(where: { $0.1 != .succeeded }) else { return nil }
            return "trigger all_success: upstream '\(bad.0)' \(bad.1.rawValue)"
        case .allDone: return nil
        case .oneSuccess: return states.contains(.succeeded) ? nil : "trigger one_success: no upstream task succeeded"
        case .oneFailed: return states.contains(.failed) ? nil : "trigger one_failed: no upstream task failed"
        case .noneFailed: return states.contains(.failed) ? "trigger none_failed: upstream \(named(.failed)) failed" : nil
        }
    }

    // MARK: running the engine's jobs

    /// Runs a job of an execution: a task (rendering its input, then `next`, the rest of the
    /// worker's chain down to the handler of its job), or one of the engine's own jobs.
    static func run(
        _ context: JobContext, role: Role, store: any WorkflowStore & PipelineStore, clock: any StewardClock, next: JobNext
    ) async throws -> String? {
        let now = clock.now()
        // A task's upstream tasks are its job's parents: read them beside the run rather than after
        // it (the run names which jobs a task reads; those it names beyond these are read then).
        let parents = role == .task || role == .dispatch ? context.dependsOn : []
        async let upstream = parents.isEmpty ? [] : store.jobs(ids: parents, now: now)
        guard let runID = context.metadata[Key.run], let run = try await store.workflowRun(runID) else {
            throw PermanentJobError("workflow run \(context.metadata[Key.run] ?? "?") not found")
        }
        let generation = Int(context.metadata[Key.generation] ?? "") ?? 0
        guard generation == run.generation else {
            throw NotRun(state: .cancelled, reason: "superseded by generation \(run.generation)")
        }
        switch role {
        case .task, .dispatch:
            return try await runTask(
                context, run: run, dispatch: role == .dispatch, next: next, store: store, now: now, upstream: try await upstream)
        case .collect: return try await collect(context, run: run, store: store, now: now)
        case .finish: return try await finish(run, store: store, now: now)
        case .timeout: return try await timeOut(run, store: store, now: now)
        case .compensated: return try await concludeCompensation(run, store: store, now: now)
        case .item, .compensate:
            // Plain jobs with rendered payloads; only reached for a job registered under no name.
            throw UnregisteredJobError(job: context.name)
        }
    }

    static func runTask(
        _ context: JobContext, run: WorkflowRunRecord, dispatch: Bool, next: JobNext, store: any WorkflowStore & PipelineStore,
        now: Date, upstream: [JobRecord]
    ) async throws -> String? {
        guard let name = context.metadata[Key.task], let task = run.definition.task(name) else {
            throw PermanentJobError("workflow run \(run.id): no task '\(context.metadata[Key.task] ?? "?")'")
        }
        if run.halted || run.state != .running { throw NotRun(state: .cancelled, reason: run.haltReason ?? "the execution ended") }
        let compiled = try CompiledWorkflow.of(run.definition).tasks[name]!
        let outcomes = try await outcomes(compiled.reads, in: run, store: store, now: now, known: upstream)
        if let reason = blocked(task.trigger, upstream: task.dependsOn.map { ($0, outcomes[$0]?.state ?? .pending) }) {
            throw NotRun(state: .skipped, reason: reason)
        }
        let scope = scope(run, outcomes)
        do {
            if let when = task.when, let condition = compiled.when, !(try condition.evaluate(in: scope)) {
                throw NotRun(state: .skipped, reason: "when: \(when) is false")
            }
            if dispatch { return try await self.dispatch(task, context: context, run: run, scope: scope, store: store, now: now) }
            let payload = try compiled.input.render(in: scope).jsonText
            let taskContext = context.with(payload: payload)
            if let seconds = task.timeoutSeconds {
                let limit = Duration.seconds(double: seconds)
                // The chain below outlives no call: withTimeout returns only after its tasks end.
                return try await withoutActuallyEscaping(next) { next in
                    try await withTimeout(limit, throwing: JobTimeout(timeout: limit)) { try await next(taskContext) }
                }
            }
            return try await next(taskContext)
        } catch let notRun as NotRun {
            throw notRun
        } catch let error as WorkflowExpressionError {
            let failure = PermanentJobError("task '\(name)': \(error)")
            try await halt(run, task: name, error: failure, store: store, now: now)
            throw failure
        } catch {
            let policy = dispatch ? systemRetry : task.retry ?? .default
            if policy.isFinal(error, attempt: context.attempt, maxAttempts: context.maxAttempts) {
                try await halt(run, task: name, error: error, store: store, now: now)
            }
            throw error
        }
    }

    /// A task failed for good: under `fail` and `compensating_actions` nothing new starts.
    static func halt(_ run: WorkflowRunRecord, task: String, error: any Error, store: any WorkflowStore & PipelineStore, now: Date) async throws {
        guard run.definition.errorHandling != .continue else { return }
        let reason = "task '\(task)' failed: \(errorTypeName(error)): \(error)"
        _ = try await store.changeWorkflowRun(run.id, now: now) { current in
            guard var r = current, !r.halted, r.generation == run.generation else { return nil }
            r.halted = true
            r.haltReason = reason
            r.updatedAt = now
            let record = r
            return WorkflowRunChange(events: [WorkflowEvent(at: now, kind: "halted", task: task, message: reason)]) { _ in record }
        }
    }

    /// A map task's dispatcher: enqueues one job per item (at most `parallelism` at once, in item
    /// order, each after the item `parallelism` places before it) and adds them to the collector.
    static func dispatch(
        _ task: WorkflowTask, context: JobContext, run: WorkflowRunRecord, scope: JSONValue, store: any WorkflowStore & PipelineStore, now: Date
    ) async throws -> String? {
        guard let map = task.map, let jobs = run.tasks[task.name] else { throw PermanentJobError("task '\(task.name)' is not a map task") }
        let compiled = try CompiledWorkflow.of(run.definition).tasks[task.name]!
        let list = try (compiled.map ?? WorkflowTemplate(parsing: map)).render(in: scope)
        guard case .array(let items) = list else {
            throw PermanentJobError("task '\(task.name)' map: '\(map)' is \(list.kindName), not a list")
        }
        guard case .object(var itemScope) = scope else { throw PermanentJobError("workflow scope is not an object") }
        var newJobs: [NewJob] = []
        newJobs.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            itemScope["item"] = item
            itemScope["index"] = .integer(Int64(i))
            let payload: String
            do { payload = try compiled.input.render(in: .object(itemScope)).jsonText } catch {
                throw PermanentJobError("task '\(task.name)' item \(i): \(error)")
            }
            var meta = [Key.run: run.id, Key.role: Role.item.rawValue, Key.generation: "\(run.generation)", Key.task: task.name]
            meta[Key.index] = "\(i)"
            newJobs.append(
                NewJob(
                    queue: task.queue ?? "default", name: task.job, payload: payload, priority: task.priority ?? 0,
                    timeout: task.timeoutSeconds.map { .seconds(double: $0) }, retryPolicy: task.retry ?? .default, metadata: meta,
                    dependsOnBatch: task.parallelism.flatMap { i >= $0 ? [i - $0] : nil } ?? [], holds: [jobs.job]))
        }
        let enqueued = newJobs
        let record = try await store.changeWorkflowRun(run.id, now: now) { current in
            // Dispatched once: a dispatcher run again after a crash finds its items recorded.
            guard let base = current, base.generation == run.generation, base.items[task.name] == nil else { return nil }
            return WorkflowRunChange(
                jobs: enqueued, events: [WorkflowEvent(at: now, kind: "dispatched", task: task.name, message: "\(enqueued.count) items")]
            ) { results in
                var r = base
                r.items[task.name] = results.map(\.id)
                r.updatedAt = now
                return r
            }
        }
        return JSONValue.object(["items": .integer(Int64(record?.items[task.name]?.count ?? 0))]).jsonText
    }

    /// A map task's collector: the list of item outputs in item order; fails when more items
    /// failed than the task tolerates.
    static func collect(_ context: JobContext, run: WorkflowRunRecord, store: any WorkflowStore & PipelineStore, now: Date) async throws -> String? {
        guard let name = context.metadata[Key.task], let task = run.definition.task(name), let jobs = run.tasks[name],
            let dispatcherID = jobs.dispatcher
        else { throw PermanentJobError("workflow run \(run.id): no map task '\(context.metadata[Key.task] ?? "?")'") }
        let dispatcher = outcome(of: try await store.job(dispatcherID, now: now))
        switch dispatcher.state {
        case .succeeded: break
        case .skipped, .cancelled: throw NotRun(state: dispatcher.state, reason: dispatcher.reason ?? dispatcher.error ?? "skipped")
        default: throw PermanentJobError("task '\(name)': dispatching failed: \(dispatcher.error ?? dispatcher.state.rawValue)")
        }
        let ids = run.items[name] ?? []
        let byID = Dictionary(uniqueKeysWithValues: try await store.jobs(ids: ids, now: now).map { ($0.id, $0) })
        var outputs: [JSONValue] = []
        var failures: [(Int, String)] = []
        for (i, id) in ids.enumerated() {
            let o = outcome(of: byID[id])
            if o.state == .succeeded {
                outputs.append(o.output ?? .null)
            } else {
                outputs.append(.null)
                failures.append((i, o.error ?? o.state.rawValue))
            }
        }
        if failures.count > task.tolerateFailures {
            let error = PermanentJobError(
                "map: \(failures.count) of \(ids.count) items failed (tolerate_failures: \(task.tolerateFailures)); item \(failures[0].0): \(failures[0].1)")
            try await halt(run, task: name, error: error, store: store, now: now)
            throw error
        }
        return JSONValue.array(outputs).jsonText
    }

    /// Every task has finished: decide the execution's outcome, or start compensating.
    static func finish(_ run: WorkflowRunRecord, store: any WorkflowStore & PipelineStore, now: Date) async throws -> String? {
        guard run.state == .running else { return nil }
        let names = Set(run.definition.tasks.map(\.name))
        let outcomes = try await outcomes(names, in: run, store: store, now: now)
        let failed = run.definition.topologicalOrder.first { outcomes[$0.name]?.state == .failed }
        var state = WorkflowRunState.succeeded
        var error: String? = nil
        var output: JSONValue? = nil
        var compensation: (jobs: [NewJob], tasks: [String])? = nil
        if run.cancelRequested {
            state = .cancelled
            error = "cancelled"
        } else if failed != nil || run.halted {
            // Halted without a failed task: timed out, or a task failed and was stopped from
            // finishing as failed (its retries cancelled).
            error = failed.map { "task '\($0.name)' failed: \(outcomes[$0.name]?.error ?? "")" } ?? run.haltReason
            state = .failed
            if run.definition.errorHandling == .compensatingActions {
                compensation = compensations(run, outcomes)
                if compensation!.jobs.isEmpty { state = .compensated; compensation = nil }
            }
        } else {
            do {
                output = try CompiledWorkflow.of(run.definition).output?.render(in: scope(run, outcomes))
                    ?? .object(Dictionary(uniqueKeysWithValues: run.definition.leaves.map { ($0.name, outcomes[$0.name]?.output ?? .null) }))
            } catch let renderError {
                state = .failed
                error = "output: \(renderError)"
            }
        }
        let (finalState, finalError, finalOutput, comp) = (state, error, output, compensation)
        _ = try await store.changeWorkflowRun(run.id, now: now) { current in
            guard var r = current, r.state == .running, r.generation == run.generation, r.compensationFinisher == nil else { return nil }
            r.updatedAt = now
            r.error = finalError
            if let comp {
                // Compensations run one after another (each after the previous ends, however it ends).
                let events = comp.tasks.map { WorkflowEvent(at: now, kind: "compensating", task: $0) }
                let base = r
                return WorkflowRunChange(jobs: comp.jobs, events: events) { results in
                    var r = base
                    r.compensations = zip(comp.tasks, results.dropLast()).map { .init(task: $0, job: $1.id) }
                    r.compensationFinisher = results.last?.id
                    return r
                }
            }
            r.state = finalState
            r.output = finalOutput
            r.finishedAt = now
            let record = r
            return WorkflowRunChange(events: [WorkflowEvent(at: now, kind: "finished", message: finalState.rawValue + (finalError.map { ": \($0)" } ?? ""))]) { _ in record }
        }
        if comp == nil {
            executionEnded(run.workflow, finalState)
            await recordPipelineExecution(run, finalState, store: store, now: now)
            if let timer = run.timer { _ = try? await store.cancel(timer, now: now) }
        }
        return nil
    }

    /// `steward_workflow_executions_total{workflow,state}`, counted by the process that ends it.
    static func executionEnded(_ workflow: String, _ state: WorkflowRunState) {
        executionEnded(workflow, state: state.rawValue)
    }

    /// The same for a code run's final state.
    static func executionEnded(_ workflow: String, state: String) {
        guard !(MetricsSystem.factory is NOOPMetricsHandler) else { return }
        Counter(label: "steward_workflow_executions_total", dimensions: [("workflow", workflow), ("state", state)]).increment()
    }

    /// The compensation jobs of succeeded tasks, in reverse completion order, chained, then the
    /// job that concludes them.
    static func compensations(_ run: WorkflowRunRecord, _ outcomes: [String: Outcome]) -> (jobs: [NewJob], tasks: [String]) {
        let done = run.definition.tasks.filter { $0.compensate != nil && outcomes[$0.name]?.state == .succeeded }
            .sorted {
                let (a, b) = (outcomes[$0.name]!, outcomes[$1.name]!)
                return (a.finishedAt ?? .distantPast, a.job?.id.rawValue ?? 0) > (b.finishedAt ?? .distantPast, b.job?.id.rawValue ?? 0)
            }
        guard !done.isEmpty else { return ([], []) }
        let scope = scope(run, outcomes)
        var jobs: [NewJob] = []
        for task in done {
            let c = task.compensate!
            let payload = try? CompiledWorkflow.of(run.definition).tasks[task.name]?.compensate?.render(in: scope).jsonText
            var meta = [Key.run: run.id, Key.role: Role.compensate.rawValue, Key.generation: "\(run.generation)", Key.task: task.name]
            if payload == nil { meta["steward.workflow.error"] = "compensate input could not be rendered" }
            jobs.append(
                NewJob(
                    queue: task.queue ?? "default", name: payload == nil ? JobName.compensated : c.job, payload: payload ?? "{}",
                    priority: task.priority ?? 0, retryPolicy: task.retry ?? .default, metadata: meta,
                    dependsOnBatch: jobs.isEmpty ? [] : [jobs.count - 1]))
        }
        jobs.append(
            NewJob(
                queue: run.definition.tasks.first?.queue ?? "default", name: JobName.compensated, retryPolicy: systemRetry,
                metadata: [Key.run: run.id, Key.role: Role.compensated.rawValue, Key.generation: "\(run.generation)"],
                dependsOnBatch: [jobs.count - 1]))
        return (jobs, done.map(\.name))
    }

    /// Every compensation has ended: `compensated`, or `compensation_failed` naming the first that failed.
    static func concludeCompensation(_ run: WorkflowRunRecord, store: any WorkflowStore & PipelineStore, now: Date) async throws -> String? {
        guard run.state == .running else { return nil }
        let jobs = Dictionary(uniqueKeysWithValues: try await store.jobs(ids: run.compensations.map(\.job), now: now).map { ($0.id, $0) })
        let failed = run.compensations.first { jobs[$0.job]?.state != .succeeded }
        let state: WorkflowRunState = failed == nil ? .compensated : .compensationFailed
        let note = failed.map { c in
            let job = jobs[c.job]
            let why = job?.lastError.map { "\($0.type): \($0.message)" } ?? (job?.metadata["steward.workflow.error"] ?? job?.state.rawValue ?? "missing")
            return "compensation '\(job?.name ?? "?")' of task '\(c.task)' failed: \(why)"
        }
        _ = try await store.changeWorkflowRun(run.id, now: now) { current in
            guard var r = current, r.state == .running, r.generation == run.generation else { return nil }
            r.state = state
            if let note { r.error = (r.error.map { $0 + "; " } ?? "") + note }
            r.updatedAt = now
            r.finishedAt = now
            let record = r
            return WorkflowRunChange(events: [WorkflowEvent(at: now, kind: state.rawValue, message: note)]) { _ in record }
        }
        executionEnded(run.workflow, state)
        await recordPipelineExecution(run, state, store: store, now: now)
        if let timer = run.timer { _ = try? await store.cancel(timer, now: now) }
        return nil
    }

    /// The workflow's timeout passed: nothing new starts and the running tasks are cancelled;
    /// the finisher then fails the execution (compensating under `compensating_actions`).
    static func timeOut(_ run: WorkflowRunRecord, store: any WorkflowStore & PipelineStore, now: Date) async throws -> String? {
        guard run.state == .running, !run.cancelRequested, run.compensationFinisher == nil else { return nil }
        let reason = "timed out after \(DurationParser.format(run.definition.timeoutSeconds ?? 0))"
        let halted = try await store.changeWorkflowRun(run.id, now: now) { current in
            guard var r = current, r.state == .running, r.generation == run.generation, !r.timedOut else { return nil }
            r.halted = true
            r.timedOut = true
            r.haltReason = reason
            r.updatedAt = now
            let record = r
            return WorkflowRunChange(events: [WorkflowEvent(at: now, kind: "timed_out", message: reason)]) { _ in record }
        }
        if let halted { try await cancelUnfinished(halted, store: store, now: now) }
        return nil
    }

    /// Cancels every job of the execution that has not finished (tasks, dispatchers, items).
    static func cancelUnfinished(_ run: WorkflowRunRecord, store: any WorkflowStore & PipelineStore, now: Date) async throws {
        let ids = run.taskJobIDs + run.items.values.flatMap { $0 }
        for job in try await store.jobs(ids: ids, now: now) where !job.state.isFinished {
            do { _ = try await store.cancel(job.id, now: now) } catch StewardError.invalidTransition {}
        }
    }
}

/// Where a task stands, as `workflow status` shows it.
public enum WorkflowTaskState: String, Sendable, Codable, CaseIterable {
    /// Waiting for upstream tasks.
    case pending
    /// Ready, waiting for a worker (or for a retry's backoff).
    case waiting
    /// Running.
    case running
    /// Succeeded; its output is kept.
    case succeeded
    /// Failed for good.
    case failed
    /// Not run: its condition was false, or its trigger rule was not met.
    case skipped
    /// Not run, or stopped: the execution was cancelled, timed out or halted by a failure.
    case cancelled
    /// Succeeded, then undone by its compensation.
    case compensated
}
