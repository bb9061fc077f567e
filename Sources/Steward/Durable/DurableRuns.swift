import Foundation

/// The rules of a run's life outside its function: start (idempotent by id), finish (waking a
/// parent that waits for it), messages (waking a run that waits on their topic) and cancel.
/// Each is one ``DurableStore/changeDurableRun(_:reading:now:_:)``: decided here, executed by
/// the store in one transaction.
package enum DurableRuns {
    /// The largest input, output, step value, message or event, in bytes of JSON (1 MiB).
    package static let defaultLimit = 1 << 20

    /// The driver job's payload.
    struct DriverPayload: Codable {
        var run: String
    }

    /// Starts run `id` of `workflow`, or returns the run that has this id (whatever its state).
    package static func start(
        store: any DurableStore, workflow: String, queue: String, retryPolicy: RetryPolicy?, id: String, input: String, parent: String?,
        deadline: Date?, now: Date
    ) async throws -> DurableRunRecord {
        guard !id.isEmpty else { throw StewardError.invalidArgument(field: "id", message: "id: a run id must not be empty") }
        guard input.utf8.count <= defaultLimit else {
            throw DurableValueTooLarge(what: "the input of run '\(id)'", bytes: input.utf8.count, limit: defaultLimit)
        }
        let payload = try JSONCoding.encode(DriverPayload(run: id))
        let job = NewJob(
            queue: queue, name: workflow, payload: payload,
            options: JobOptions(retryPolicy: retryPolicy, metadata: ["steward.durable.run": id]), now: now)
        let fresh = DurableRunRecord(id: id, workflow: workflow, queue: queue, input: input, parent: parent, deadline: deadline, createdAt: now)
        let (run, _) = try await store.startDurableRun(fresh, job: job, now: now)
        return run
    }

    package static func start<W: DurableWorkflow>(
        store: any DurableStore, workflow: W.Type, id: String, input: String, parent: String?, deadline: Date?, now: Date
    ) async throws -> DurableRunRecord {
        try await start(
            store: store, workflow: W.name, queue: W.queue, retryPolicy: W.retryPolicy, id: id, input: input, parent: parent,
            deadline: deadline, now: now)
    }

    /// Ends run `id` (once): its parent, if it waits for it, is woken. `ending` (the driver's
    /// success) is applied in the same transaction, also when the run had ended already; the
    /// result says whether it applied.
    @discardableResult
    package static func finish(
        store: any DurableStore, id: String, state: DurableRunRecord.State, output: String?, error: JobErrorInfo?,
        steps: (count: Int, failed: Int), ending: JobOutcome? = nil, now: Date
    ) async throws -> (run: DurableRunRecord?, outcomeApplied: Bool) {
        // The run's pipeline execution ends with it (as a DAG run's: step counts, and the numbers
        // of the output's `metrics` object), in the same transaction.
        var metrics: [String: Double] = ["steps": Double(steps.count), "steps_failed": Double(steps.failed)]
        if case .object(let o)? = output.flatMap(JSONValue.init(parsing:)), case .object(let reported)? = o["metrics"] {
            for (key, value) in reported { if let n = value.numeric { metrics[key] = n } }
        }
        let pipeline = PipelineRules.lenientFinish(succeeded: state == .succeeded, at: now, reported: metrics)
        let result = try await store.changeDurableRun(id, reading: DurableRead(parent: true, pipelineExecution: true), now: now) { seen in
            guard var run = seen.run, !run.state.isFinished else { return DurableChange(outcome: ending) }
            run.state = state
            run.output = output
            run.error = error
            run.waiting = nil
            run.updatedAt = now
            run.finishedAt = now
            var change = DurableChange(run: run, outcome: ending, pipelineFinish: pipeline)
            if var parent = seen.parent, parent.waiting?.kind == .child, parent.waiting?.child == id, let job = parent.job {
                parent.waiting = nil
                parent.updatedAt = now
                change.parent = parent
                change.wake = [job]
            }
            return change
        }
        if let run = result.run, result.seen.run?.state == .running, run.state.isFinished {
            WorkflowEngine.executionEnded(run.workflow, state: run.state.rawValue)
        }
        return (result.run, result.outcomeApplied)
    }

    /// Keeps `payload` for run `id` on `topic`; wakes the run if it waits on that topic.
    package static func send(store: any DurableStore, id: String, topic: String, payload: String, now: Date) async throws {
        guard !topic.isEmpty else { throw StewardError.invalidArgument(field: "topic", message: "topic: must not be empty") }
        guard payload.utf8.count <= defaultLimit else {
            throw DurableValueTooLarge(what: "the message on '\(topic)'", bytes: payload.utf8.count, limit: defaultLimit)
        }
        _ = try await store.changeDurableRun(id, reading: DurableRead(), now: now) { seen in
            guard var run = seen.run else { throw StewardError.workflowRunNotFound(id) }
            guard !run.state.isFinished else {
                throw StewardError.invalidWorkflowTransition(
                    run: id, from: run.state.rawValue, action: "send a message to", allowed: "only a running run receives messages")
            }
            var change = DurableChange(send: DurableMessage(run: id, topic: topic, payload: payload, sentAt: now))
            if run.waiting?.kind == .message, run.waiting?.topic == topic, let job = run.job {
                run.waiting = nil
                run.updatedAt = now
                change.run = run
                change.wake = [job]
            }
            return change
        }
    }

    /// Asks run `id` to stop: its next step boundary throws `CancellationError` (a waiting run is
    /// woken for it), so its compensation code runs; the run ends `cancelled`.
    package static func cancel(store: any DurableStore, id: String, now: Date) async throws -> DurableRunRecord {
        let result = try await store.changeDurableRun(id, reading: DurableRead(), now: now) { seen in
            guard var run = seen.run else { throw StewardError.workflowRunNotFound(id) }
            guard !run.state.isFinished else {
                throw StewardError.invalidWorkflowTransition(run: id, from: run.state.rawValue, action: "cancel", allowed: "only a running run can be")
            }
            run.cancelRequested = true
            run.updatedAt = now
            var change = DurableChange(run: run)
            if run.waiting != nil, let job = run.job {
                change.run?.waiting = nil
                change.wake = [job]
            }
            return change
        }
        guard let run = result.run else { throw StewardError.workflowRunNotFound(id) }
        return run
    }

    /// Runs a failed run again from its last failed position (it and what came after it are
    /// forgotten; everything before replays from its record), in a new generation with a new
    /// driver job. A cancelled run is not retried: its compensation is recorded; start a new one.
    package static func retry(store: any DurableStore, id: String, now: Date) async throws -> DurableRunRecord {
        guard let current = try await store.durableRun(id) else { throw StewardError.workflowRunNotFound(id) }
        guard current.state == .failed else {
            throw StewardError.invalidWorkflowTransition(
                run: id, from: current.state.rawValue, action: "retry",
                allowed: current.state == .cancelled
                    ? "a cancelled code run has its compensation recorded; start a new run" : "only a failed run is retried")
        }
        let from = try await store.durableSteps(id).last(where: { $0.state == .failed })?.seq
        let job = NewJob(
            queue: current.queue, name: current.workflow, payload: try JSONCoding.encode(DriverPayload(run: id)),
            options: JobOptions(metadata: ["steward.durable.run": id]), now: now)
        let result = try await store.changeDurableRun(id, reading: DurableRead(), now: now) { seen in
            guard var run = seen.run, run.state == .failed, run.generation == current.generation else {
                throw StewardError.invalidWorkflowTransition(
                    run: id, from: seen.run?.state.rawValue ?? "gone", action: "retry", allowed: "it changed meanwhile; look at it again")
            }
            run.state = .running
            run.output = nil
            run.error = nil
            run.waiting = nil
            run.cancelRequested = false
            run.generation += 1
            run.updatedAt = now
            run.finishedAt = nil
            return DurableChange(run: run, truncate: from, enqueue: job)
        }
        guard let run = result.run else { throw StewardError.workflowRunNotFound(id) }
        return run
    }
}
