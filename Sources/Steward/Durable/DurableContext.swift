import Foundation
import Logging
import Metrics
import Synchronization
import Tracing

/// What a code workflow's function uses to do durable work: each call takes the next position
/// of the run's history, returns what is recorded there on replay, and otherwise runs and records
/// it. Positions are taken when a call is made, in program order: keep calls that record
/// sequential (or start concurrent ones in a fixed order) so a replay reaches them in the same order.
public final class DurableContext: Sendable {
    /// The run's id.
    public let runID: String
    /// The driver job's attempt (1 on the first, more after a crash or a failed attempt).
    public let attempt: Int
    /// The driver job's context (its logger, id, queue).
    public let job: JobContext

    let store: any DurableStore
    let clock: any StewardClock
    /// The largest value recorded, in bytes of JSON.
    let limit: Int
    let startedAt: Date
    private let state: Mutex<State>

    struct State {
        var next = 1
        var recorded: [Int: DurableStepRecord]
        var last: Int
        var cancelRequested: Bool
        var cancelDelivered = false
        var deadline: Date?
    }

    init(run: DurableRunRecord, steps: [DurableStepRecord], job: JobContext, store: any DurableStore, clock: any StewardClock, limit: Int) {
        runID = run.id
        attempt = job.attempt
        self.job = job
        self.store = store
        self.clock = clock
        self.limit = limit
        startedAt = clock.now()
        var recorded: [Int: DurableStepRecord] = [:]
        for s in steps { recorded[s.seq] = s }
        state = Mutex(State(recorded: recorded, last: steps.map(\.seq).max() ?? 0, cancelRequested: run.cancelRequested, deadline: run.deadline))
    }

    /// The run's logger (the driver job's, with the run's id).
    public var logger: Logger {
        var l = job.logger
        l[metadataKey: "run"] = "\(runID)"
        return l
    }

    // MARK: steps

    /// Runs `body` once for this run and records its output; a replay returns the recorded
    /// output without running it. A body that throws is retried by `retry` inside this attempt;
    /// when it still throws, the failure is recorded and ``DurableStepFailed`` thrown (a later
    /// replay throws the same once the workflow has moved past the step; if the failure ended
    /// the attempt, the next attempt runs the step again).
    ///
    /// The body runs at least once per recorded result: after a crash between its end and the
    /// record, it runs again. Make it idempotent (an idempotency key built from ``runID``).
    ///
    /// A cancel (or the run's deadline) reaches a body that runs longer than a second as task
    /// cancellation: the step then throws `CancellationError`, unrecorded.
    public func step<T: Codable & Sendable>(
        _ name: String, retry: RetryPolicy? = nil, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let seq = take()
        var attempts = 0
        if let r = try replay(seq, .step, name) {
            switch r.state {
            case .succeeded: return try decode(T.self, r.output, what: "step '\(name)' output")
            case .failed:
                if isBehind(seq) { throw DurableStepFailed(r) }
                attempts = r.attempts
            case .pending: break
            }
        }
        try boundary()
        return try await withSpan("steward.step \(name)", ofKind: .internal) { span in
            span.attributes["steward.workflow.run"] = runID
            span.attributes["steward.workflow.step.seq"] = seq
            return try await run(name, seq: seq, retry: retry, attempts: attempts, body)
        }
    }

    /// A step's body, run (with its retries) and recorded.
    private func run<T: Codable & Sendable>(
        _ name: String, seq: Int, retry: RetryPolicy?, attempts previous: Int, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        var attempts = previous
        let started = clock.now()
        var tries = 0
        while true {
            attempts += 1
            tries += 1
            do {
                guard case .value(let value) = try await watched(body) else {
                    state.withLock { s in
                        s.cancelRequested = true
                        s.cancelDelivered = true
                    }
                    throw CancellationError()
                }
                let json = try encode(value, what: "step '\(name)' output")
                let stored = try await record(
                    DurableStepRecord(
                        run: runID, seq: seq, kind: .step, name: name, state: .succeeded, output: json, attempts: attempts,
                        startedAt: started, finishedAt: clock.now()))
                // Another driver of the same run (a lost lease) recorded first: its result counts.
                return stored.output == json ? value : try decode(T.self, stored.output, what: "step '\(name)' output")
            } catch let e as DurableValueTooLarge {
                throw e
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                if let retry, !retry.isFinal(error, attempt: tries, maxAttempts: retry.maxAttempts) {
                    var rng = SystemRandomNumberGenerator()
                    try await Task.sleep(for: retry.delay(afterAttempt: tries, using: &rng))
                    continue
                }
                let failure = DurableStepFailed(step: name, type: errorTypeName(error), message: "\(error)", seq: seq)
                _ = try await record(
                    DurableStepRecord(
                        run: runID, seq: seq, kind: .step, name: name, state: .failed,
                        error: JobErrorInfo(type: failure.type, message: failure.message, attempt: attempts), attempts: attempts,
                        startedAt: started, finishedAt: clock.now()))
                throw failure
            }
        }
    }

    /// Runs `body` beside a waiter that ``StepWatch`` wakes when, from the body's first second
    /// on, its run is asked to cancel (or passes its deadline): then the body's task is cancelled
    /// and `.cancelled` returned.
    private func watched<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> StepEnd<T> {
        let (store, runID, clock) = (self.store, self.runID, self.clock)
        let deadline = state.withLock { $0.deadline }
        return try await withThrowingTaskGroup(of: StepEnd<T>.self) { group in
            let stop = WakeSignal()
            group.addTask { .value(try await body()) }
            group.addTask {
                await stop.wait()
                // Woken by the task's own cancellation (the worker's, or the body ended): not a
                // cancel of the run.
                try Task.checkCancellation()
                return .cancelled
            }
            let watch = StepWatch.shared.add(
                check: {
                    if let deadline, clock.now() >= deadline { return true }
                    return (try? await store.durableRun(runID)?.cancelRequested) == true
                },
                stop: { stop.notify() })
            defer {
                StepWatch.shared.remove(watch)
                group.cancelAll()
            }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }

    /// The current time, recorded: a replay sees the same instant.
    public func now() async throws -> Date {
        try await step("steward.now") { [clock] in clock.now() }
    }

    /// A random UUID, recorded: a replay sees the same one.
    public func uuid() async throws -> UUID {
        try await step("steward.uuid") { UUID() }
    }

    /// Publishes `value` under `key` for clients (``StewardClient/event(of:key:as:)``) while the
    /// run goes on; a later call with the same key replaces it.
    public func setEvent<T: Encodable & Sendable>(_ key: String, _ value: T) async throws {
        let seq = take()
        if try replay(seq, .event, key) != nil { return }
        try boundary()
        let json = try encode(value, what: "event '\(key)'")
        let now = clock.now()
        let step = DurableStepRecord(
            run: runID, seq: seq, kind: .event, name: key, state: .succeeded, output: json, attempts: 1, startedAt: now, finishedAt: now)
        _ = try await write { _ in DurableChange(steps: [step], event: DurableEvent(key: key, value: json)) }
    }

    /// Whether this run takes the code path of change `id`: `true` for runs that reach this point
    /// after the change was deployed (a marker is recorded), `false` for runs whose history
    /// already holds another record here (they ran the old code past this point). Keep the
    /// old path in an `else` until no such run is open.
    public func patched(_ id: String) async throws -> Bool {
        let (seq, existing) = state.withLock { s in (s.next, s.recorded[s.next]) }
        if let existing {
            guard existing.kind == .patch, existing.name == id else { return false }
            _ = take()
            return existing.output == "true"
        }
        _ = take()
        let now = clock.now()
        _ = try await record(
            DurableStepRecord(
                run: runID, seq: seq, kind: .patch, name: id, state: .succeeded, output: "true", attempts: 1, startedAt: now, finishedAt: now))
        return true
    }

    // MARK: waits

    /// Waits `duration` without holding a worker: the attempt ends and the run's job is due
    /// again when the timer is (on any worker). The wake-up time is fixed when first reached.
    public func sleep(for duration: Duration) async throws {
        try await sleep(seq: take(), until: nil, duration: duration)
    }

    /// Waits until `date` without holding a worker.
    public func sleep(until date: Date) async throws {
        try await sleep(seq: take(), until: date, duration: nil)
    }

    private func sleep(seq: Int, until date: Date?, duration: Duration?) async throws {
        let recorded = try replay(seq, .sleep, "sleep")
        if recorded?.state == .succeeded { return }
        try boundary()
        let now = clock.now()
        let until = recorded?.until ?? date ?? now.addingTimeInterval(duration?.seconds ?? 0)
        if now >= until {
            _ = try await record(
                DurableStepRecord(
                    run: runID, seq: seq, kind: .sleep, name: "sleep", state: .succeeded, attempts: 1, startedAt: recorded?.startedAt ?? now,
                    finishedAt: now, until: until))
            return
        }
        let pending = DurableStepRecord(run: runID, seq: seq, kind: .sleep, name: "sleep", state: .pending, startedAt: now, until: until)
        try await suspend(DurableWait(kind: .sleep, until: until), steps: recorded == nil ? [pending] : [])
    }

    /// The next message on `topic` sent to this run (``StewardClient/send(_:to:topic:)``), decoded
    /// as `T`; `nil` when `timeout` passes first. Waits without holding a worker. A message sent
    /// before the run gets here is kept; each is received once, oldest first.
    public func receive<T: Codable & Sendable>(_ type: T.Type, topic: String, timeout: Duration? = nil) async throws -> T? {
        let seq = take()
        let recorded = try replay(seq, .receive, topic)
        if let recorded, recorded.state == .succeeded {
            guard let output = recorded.output, output != "null" else { return nil }
            return try decode(T.self, output, what: "message on '\(topic)'")
        }
        try boundary()
        let now = clock.now()
        let until = recorded?.until ?? timeout.map { now.addingTimeInterval($0.seconds) }
        let wait = DurableWait(kind: .message, topic: topic, until: until)
        let wake = wakeUp(wait, now: now)
        let result = try await write(DurableRead(topic: topic)) { [runID] state in
            let started = recorded?.startedAt ?? now
            if let message = state.message {
                let step = DurableStepRecord(
                    run: runID, seq: seq, kind: .receive, name: topic, state: .succeeded, output: message.payload, attempts: 1,
                    startedAt: started, finishedAt: now, until: until)
                return DurableChange(steps: [step], consume: message.id)
            }
            if let until, now >= until {
                let step = DurableStepRecord(
                    run: runID, seq: seq, kind: .receive, name: topic, state: .succeeded, output: "null", attempts: 1, startedAt: started,
                    finishedAt: now, until: until)
                return DurableChange(steps: [step])
            }
            let pending = DurableStepRecord(run: runID, seq: seq, kind: .receive, name: topic, state: .pending, startedAt: now, until: until)
            return try self.suspension(state.run, wait, wake: wake, steps: recorded == nil ? [pending] : [], now: now)
        }
        guard let step = result.steps.first(where: { $0.seq == seq && $0.state == .succeeded }) else {
            throw JobOutcomeWritten.suspended(until: wake, applied: result.outcomeApplied)
        }
        guard let output = step.output, output != "null" else { return nil }
        return try decode(T.self, output, what: "message on '\(topic)'")
    }

    /// Starts `workflow` as a child of this run (once: its id is `<runID>-<position>` unless
    /// given) and waits, without holding a worker, for its output. A child that fails throws
    /// ``DurableStepFailed`` here.
    public func child<W: DurableWorkflow>(_ workflow: W.Type, input: W.Input, id: String? = nil) async throws -> W.Output {
        let seq = take()
        if let r = try replay(seq, .child, W.name) {
            switch r.state {
            case .succeeded: return try decode(W.Output.self, r.output, what: "child '\(W.name)' output")
            case .failed: throw DurableStepFailed(r)
            case .pending: break
            }
        }
        try boundary()
        let childID = id ?? "\(runID)-\(seq)"
        let now = clock.now()
        let payload = try encode(input, what: "child '\(W.name)' input")
        let child = try await DurableRuns.start(
            store: store, workflow: W.self, id: childID, input: payload, parent: runID, deadline: nil, now: now)
        if let step = Self.childStep(child, run: runID, seq: seq, name: W.name, now: now) {
            let stored = try await record(step)
            return try childOutput(stored, as: W.Output.self)
        }
        let wait = DurableWait(kind: .child, child: childID)
        let wake = wakeUp(wait, now: now)
        let result = try await write(DurableRead(child: childID)) { [runID] state in
            if let finished = state.child, let step = Self.childStep(finished, run: runID, seq: seq, name: W.name, now: now) {
                return DurableChange(steps: [step])
            }
            return try self.suspension(state.run, wait, wake: wake, steps: [], now: now)
        }
        guard let step = result.steps.first(where: { $0.seq == seq }) else {
            throw JobOutcomeWritten.suspended(until: wake, applied: result.outcomeApplied)
        }
        return try childOutput(step, as: W.Output.self)
    }

    private static func childStep(_ child: DurableRunRecord, run: String, seq: Int, name: String, now: Date) -> DurableStepRecord? {
        switch child.state {
        case .running: return nil
        case .succeeded:
            return DurableStepRecord(
                run: run, seq: seq, kind: .child, name: name, state: .succeeded, output: child.output, attempts: 1, startedAt: child.createdAt,
                finishedAt: now)
        case .failed, .cancelled:
            let error = child.error ?? JobErrorInfo(type: "DurableRunFailed", message: "child '\(child.id)' \(child.state.rawValue)", attempt: 1)
            return DurableStepRecord(
                run: run, seq: seq, kind: .child, name: name, state: .failed, error: error, attempts: 1, startedAt: child.createdAt, finishedAt: now)
        }
    }

    private func childOutput<T: Decodable>(_ step: DurableStepRecord, as type: T.Type) throws -> T {
        if step.state == .failed {
            throw DurableStepFailed(step)
        }
        return try decode(T.self, step.output, what: "child '\(step.name)' output")
    }

    // MARK: plumbing

    /// Ends this attempt suspended on `wait` (a timer: nothing else can end it sooner).
    private func suspend(_ wait: DurableWait, steps: [DurableStepRecord]) async throws {
        let now = clock.now()
        let wake = wakeUp(wait, now: now)
        let result = try await write { state in try self.suspension(state.run, wait, wake: wake, steps: steps, now: now) }
        throw JobOutcomeWritten.suspended(until: wake, applied: result.outcomeApplied)
    }

    /// When a run waiting on `wait` is due at the latest: its own end, else far ahead (only the
    /// event ends it), and never after the run's deadline (a timed-out run wakes to be cancelled).
    private func wakeUp(_ wait: DurableWait, now: Date) -> Date {
        capped(wait.until ?? Self.farAhead(now))
    }

    /// The change that suspends this attempt: the run records what it waits for, `steps` are
    /// written, and the driver job is `scheduled` at `wake`, in the store's transaction.
    private func suspension(_ run: DurableRunRecord?, _ wait: DurableWait, wake: Date, steps: [DurableStepRecord], now: Date) throws
        -> DurableChange
    {
        guard var run else { throw StewardError.workflowRunNotFound(runID) }
        run.waiting = wait
        run.updatedAt = now
        return DurableChange(
            run: run, steps: steps, outcome: JobOutcome(id: job.id, owner: job.workerID, startedAt: startedAt, kind: .suspended(until: wake)))
    }

    /// `until`, or the run's deadline when that comes first (so a timed-out run wakes to be cancelled).
    func capped(_ until: Date) -> Date {
        state.withLock { s in s.deadline.map { min($0, until) } ?? until }
    }

    /// A wait without a deadline: the job is due only when what it waits for wakes it.
    static func farAhead(_ now: Date) -> Date { now.addingTimeInterval(DurationParser.maximumSeconds) }

    func take() -> Int {
        state.withLock { s in
            defer { s.next += 1 }
            return s.next
        }
    }

    /// The record at `seq`, checked against what the code asks for there.
    func replay(_ seq: Int, _ kind: DurableStepRecord.Kind, _ name: String) throws -> DurableStepRecord? {
        guard let r = state.withLock({ $0.recorded[seq] }) else { return nil }
        guard r.kind == kind, r.name == name else {
            let same = r.kind == kind
            throw DurableNondeterminism(
                seq: seq, recorded: same ? "'\(r.name)'" : "\(r.kind.rawValue) '\(r.name)'", now: same ? "'\(name)'" : "\(kind.rawValue) '\(name)'")
        }
        return r
    }

    /// Whether the workflow has gone past `seq` (a later position is recorded).
    func isBehind(_ seq: Int) -> Bool { state.withLock { $0.last > seq } }

    /// A new position is about to run: a cancel (or the run's deadline) is delivered here, once,
    /// as `CancellationError`, so compensation code after it runs its own steps.
    func boundary() throws {
        let now = clock.now()
        let deliver = state.withLock { s -> Bool in
            guard !s.cancelDelivered else { return false }
            if s.cancelRequested || (s.deadline.map { now >= $0 } ?? false) {
                s.cancelDelivered = true
                return true
            }
            return false
        }
        if deliver { throw CancellationError() }
    }

    /// How many positions are recorded, and how many of them failed.
    var stepCounts: (count: Int, failed: Int) {
        state.withLock { s in (s.recorded.count, s.recorded.values.filter { $0.state == .failed }.count) }
    }

    /// Whether a cancel (or the deadline) reached this run.
    var cancelled: Bool { state.withLock { $0.cancelDelivered } }

    func record(_ step: DurableStepRecord) async throws -> DurableStepRecord {
        let result = try await store.recordDurableSteps(runID, [step])
        Self.count(step, workflow: job.name)
        let stored = result.steps.first { $0.seq == step.seq } ?? step
        state.withLock { s in
            s.recorded[stored.seq] = stored
            s.last = max(s.last, stored.seq)
            if result.cancelRequested { s.cancelRequested = true }
        }
        return stored
    }

    /// `steward_workflow_steps_total{workflow,kind,state}`: positions recorded (not replayed) by
    /// this process; `pending` counts a wait begun.
    static func count(_ step: DurableStepRecord, workflow: String) {
        guard !(MetricsSystem.factory is NOOPMetricsHandler) else { return }
        Counter(
            label: "steward_workflow_steps_total", dimensions: [("workflow", workflow), ("kind", step.kind.rawValue), ("state", step.state.rawValue)]
        ).increment()
    }

    func write(_ reading: DurableRead = DurableRead(), _ decide: @escaping @Sendable (DurableRunState) throws -> DurableChange) async throws
        -> DurableChangeResult
    {
        let result = try await store.changeDurableRun(runID, reading: reading, now: clock.now(), decide)
        for step in result.steps { Self.count(step, workflow: job.name) }
        state.withLock { s in
            for step in result.steps {
                s.recorded[step.seq] = step
                s.last = max(s.last, step.seq)
            }
            if let run = result.run ?? result.seen.run, run.cancelRequested { s.cancelRequested = true }
        }
        return result
    }

    func encode<T: Encodable>(_ value: T, what: String) throws -> String {
        let json = try JSONCoding.encode(value)
        if json.utf8.count > limit { throw DurableValueTooLarge(what: what, bytes: json.utf8.count, limit: limit) }
        return json
    }

    func decode<T: Decodable>(_ type: T.Type, _ json: String?, what: String) throws -> T {
        try JSONCoding.decode(T.self, from: json ?? "null")
    }
}

/// How a watched step body ended.
enum StepEnd<T: Sendable>: Sendable {
    case value(T)
    case cancelled
}
