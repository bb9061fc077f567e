import Foundation

/// The code workflows' side of ``WorkflowAdmin``: every surface starts, inspects, signals,
/// cancels and retries both kinds of run through the same calls; an id that is no DAG execution
/// is looked up among code runs.
extension WorkflowAdmin {
    /// Starts `name`: an execution of the stored definition of that name, or, when none is
    /// stored, a run of the code workflow of that name on `queue` (it waits there until a worker
    /// that registers it takes it). `id` and `timeout` apply to code runs.
    public func start(
        _ name: String, version: String? = nil, input: JSONValue = .object([:]), id: String? = nil, queue: String? = nil,
        timeout: Duration? = nil
    ) async throws -> WorkflowRunView {
        if try await store.workflow(name: name, version: version) != nil || version != nil || !(store is any DurableStore) {
            if id != nil {
                throw StewardError.invalidArgument(field: "id", message: "id: '\(name)' is a workflow definition; its runs' ids are generated")
            }
            return try await status(try await run(name, version: version, input: input).id)
        }
        let record = try await StewardClient(store: try durableStore(name), clock: clock).start(
            workflow: name, queue: queue ?? "default", input: input.jsonText, id: id, timeout: timeout)
        return try await codeStatus(record.id)
    }

    /// Sends `payload` to code run `id` on `topic`.
    public func signal(_ id: String, topic: String, payload: JSONValue) async throws {
        if try await store.workflowRun(id) != nil {
            throw StewardError.invalidArgument(field: "id", message: "id: '\(id)' is a DAG execution; only code runs receive messages")
        }
        try await DurableRuns.send(store: try durableStore(id), id: id, topic: topic, payload: payload.jsonText, now: clock.now())
    }

    /// Waits until run `id` (either kind) ends, then returns its view; throws
    /// ``WorkflowWaitTimedOut`` after `timeout`.
    public func waitForEnd(_ id: String, timeout: Duration) async throws -> WorkflowRunView {
        if try await store.workflowRun(id) != nil {
            _ = try await wait(id, timeout: timeout)
            return try await status(id)
        }
        return try await waitUntilEnded(id, timeout: timeout) {
            let view = try await codeStatus(id)
            return view.state == DurableRunRecord.State.running.rawValue ? nil : view
        }
    }

    func durableStore(_ id: String) throws -> any DurableStore {
        guard let durable = store as? any DurableStore else { throw StewardError.workflowRunNotFound(id) }
        return durable
    }

    func codeStatus(_ id: String) async throws -> WorkflowRunView {
        let durable = try durableStore(id)
        guard let run = try await durable.durableRun(id) else { throw StewardError.workflowRunNotFound(id) }
        let steps = try await durable.durableSteps(id)
        let job = try await run.job.asyncMap { try await store.job($0, now: clock.now()) } ?? nil
        return WorkflowRunView(run, steps: steps, job: job)
    }

    /// A code run's log: its start, each recorded step (reached, then done or failed) and its end.
    func codeLogs(_ id: String) async throws -> [WorkflowEventView] {
        let durable = try durableStore(id)
        guard let run = try await durable.durableRun(id) else { throw StewardError.workflowRunNotFound(id) }
        var events = [WorkflowEvent(at: run.createdAt, kind: "created", message: "code workflow \(run.workflow)")]
        for step in try await durable.durableSteps(id) {
            let task = "\(step.seq) \(step.kind.rawValue) \(step.name)"
            switch step.state {
            case .pending:
                events.append(WorkflowEvent(at: step.startedAt, kind: "waiting", task: task, message: step.until.map { "until \($0.iso8601UTC)" }))
            case .succeeded:
                events.append(WorkflowEvent(at: step.finishedAt ?? step.startedAt, kind: "succeeded", task: task, attempt: step.attempts))
            case .failed:
                events.append(
                    WorkflowEvent(
                        at: step.finishedAt ?? step.startedAt, kind: "failed", task: task, attempt: step.attempts,
                        message: step.error.map { "\($0.type): \($0.message)" }))
            }
        }
        if let end = run.finishedAt {
            events.append(WorkflowEvent(at: end, kind: "finished", message: run.state.rawValue + (run.error.map { ": \($0.message)" } ?? "")))
        }
        return events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map { WorkflowEventView($0.element) }
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
