import Foundation

extension StewardClient {
    var durableStore: any DurableStore {
        get throws {
            guard let store = store as? any DurableStore else {
                throw StewardError.invalidArgument(field: "store", message: "store: this store keeps no code workflow runs")
            }
            return store
        }
    }

    /// Starts a run of `workflow` with `input` and returns its id: `id` when given (starting an
    /// id that exists returns that run, whatever its state), else a new UUID. With `timeout`,
    /// the run is cancelled at its first step boundary after that long.
    @discardableResult
    public func start<W: DurableWorkflow>(_ workflow: W.Type, input: W.Input, id: String? = nil, timeout: Duration? = nil) async throws
        -> String
    {
        try await start(workflow: W.name, queue: W.queue, retryPolicy: W.retryPolicy, input: try JSONCoding.encode(input), id: id, timeout: timeout).id
    }

    /// Starts a run by name with JSON input (the CLI's and the HTTP API's form); the run waits
    /// on `queue` until a worker that registers `workflow` takes it.
    public func start(
        workflow: String, queue: String = "default", retryPolicy: RetryPolicy? = nil, input: String, id: String? = nil, timeout: Duration? = nil
    ) async throws -> DurableRunRecord {
        guard !workflow.isEmpty else { throw StewardError.invalidArgument(field: "workflow", message: "workflow: a name is required") }
        do { _ = try JSONCoding.decode(JSONValue.self, from: input) } catch {
            throw StewardError.invalidArgument(field: "input", message: "input: not valid JSON: \(input.prefix(200))")
        }
        let now = clock.now()
        return try await DurableRuns.start(
            store: try durableStore, workflow: workflow, queue: queue, retryPolicy: retryPolicy, id: id ?? UUID().uuidString.lowercased(),
            input: input, parent: nil, deadline: timeout.map { now.addingTimeInterval($0.seconds) }, now: now)
    }

    /// Sends `message` to run `run` on `topic`: kept until the run receives it (a run waiting on
    /// the topic is woken in the same transaction).
    public func send<T: Encodable & Sendable>(_ message: T, to run: String, topic: String) async throws {
        try await send(json: try JSONCoding.encode(message), to: run, topic: topic)
    }

    /// Sends a JSON message.
    public func send(json: String, to run: String, topic: String) async throws {
        do { _ = try JSONCoding.decode(JSONValue.self, from: json) } catch {
            throw StewardError.invalidArgument(field: "payload", message: "payload: not valid JSON: \(json.prefix(200))")
        }
        try await DurableRuns.send(store: try durableStore, id: run, topic: topic, payload: json, now: clock.now())
    }

    /// Waits at most `timeout` for run `run` to end and decodes its output; throws
    /// ``DurableRunFailed`` when it failed or was cancelled.
    public func result<T: Decodable>(of run: String, as type: T.Type, timeout: Duration) async throws -> T {
        let record = try await wait(for: run, timeout: timeout)
        return try JSONCoding.decode(T.self, from: record.output ?? "null")
    }

    /// Waits at most `timeout` for run `id` to succeed and returns its record.
    public func wait(for id: String, timeout: Duration) async throws -> DurableRunRecord {
        let store = try durableStore
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let run = try await store.durableRun(id) else { throw StewardError.workflowRunNotFound(id) }
            switch run.state {
            case .succeeded: return run
            case .failed, .cancelled: throw DurableRunFailed(run: id, state: run.state, error: run.error)
            case .running: break
            }
            guard let job = run.job else { throw StewardError.workflowRunNotFound(id) }
            let left = deadline - ContinuousClock.now
            do {
                _ = try await waitForResult(job, timeout: max(.zero, left))
            } catch StewardError.jobDidNotSucceed(_, let state, let error) {
                // The driver ended without recording the run's end (an error its retry policy
                // does not retry, a cancel by hand): the job's end is the run's.
                if let ended = try await store.durableRun(id), ended.state.isFinished { continue }
                throw DurableRunFailed(run: id, state: state == .cancelled ? .cancelled : .failed, error: error)
            }
        }
    }

    /// Cancels run `run` (see ``DurableContext``: delivered at its next step boundary).
    @discardableResult
    public func cancel(run: String) async throws -> DurableRunRecord {
        try await DurableRuns.cancel(store: try durableStore, id: run, now: clock.now())
    }

    /// The value run `run` last set for `key`, or `nil`.
    public func event<T: Decodable>(of run: String, key: String, as type: T.Type) async throws -> T? {
        guard let json = try await durableStore.durableEvent(run, key: key) else { return nil }
        return try JSONCoding.decode(T.self, from: json)
    }

    /// Run `id`, or `nil`.
    public func run(_ id: String) async throws -> DurableRunRecord? {
        try await durableStore.durableRun(id)
    }
}
