import Foundation

/// Options for enqueueing one job through the typed API.
public struct JobOptions: Sendable {
    /// Higher runs first; default 0.
    public var priority: Int
    /// Run no earlier than this long from now.
    public var delay: Duration?
    /// Run no earlier than this instant (wins over `delay`).
    public var runAt: Date?
    /// Per-attempt timeout.
    public var timeout: Duration?
    /// Overrides the queue's retry policy.
    public var retryPolicy: RetryPolicy?
    /// String metadata given to the handler.
    public var metadata: [String: String]
    /// Idempotency key: while a job with it is live, enqueueing returns that job.
    public var uniqueKey: String?
    /// Jobs that must finish first (see ``NewJob/dependsOn``).
    public var dependsOn: [JobID]

    /// Creates options; all optional.
    public init(
        priority: Int = 0, delay: Duration? = nil, runAt: Date? = nil, timeout: Duration? = nil,
        retryPolicy: RetryPolicy? = nil, metadata: [String: String] = [:], uniqueKey: String? = nil,
        dependsOn: [JobID] = []
    ) {
        self.dependsOn = dependsOn
        self.priority = priority
        self.delay = delay
        self.runAt = runAt
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.metadata = metadata
        self.uniqueKey = uniqueKey
    }
}

extension NewJob {
    /// The job `name` with `payload` as `options` ask for it, at `now` (a `delay` runs from
    /// now; a `runAt` wins over it): the typed API and the surfaces' ``EnqueueRequest`` both
    /// build jobs here.
    public init(queue: String, name: String, payload: String, options: JobOptions, now: Date) {
        self.init(
            queue: queue, name: name, payload: payload, priority: options.priority,
            runAt: options.runAt ?? options.delay.map { now.addingTimeInterval($0.seconds) }, timeout: options.timeout,
            retryPolicy: options.retryPolicy, metadata: options.metadata, uniqueKey: options.uniqueKey, dependsOn: options.dependsOn)
    }
}

/// The producer side: enqueue typed or untyped jobs and wait for their results.
public struct StewardClient: Sendable {
    /// The store jobs go to.
    public let store: any JobStore
    /// The clock for run-at and waiting.
    public let clock: any StewardClock

    /// Creates a client on `store`.
    public init(store: any JobStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Describes a typed job as a `NewJob` (for bulk enqueue).
    public func describe<J: JobParameters>(_ job: J, queue: String? = nil, options: JobOptions = JobOptions()) throws -> NewJob {
        NewJob(queue: queue ?? J.queue, name: J.name, payload: try JSONCoding.encode(job), options: options, now: clock.now())
    }

    /// Enqueues one typed job.
    @discardableResult
    public func enqueue<J: JobParameters>(_ job: J, queue: String? = nil, options: JobOptions = JobOptions()) async throws
        -> EnqueueResult
    {
        try await enqueue([describe(job, queue: queue, options: options)])[0]
    }

    /// Enqueues many jobs in one transaction (the store validates each; nothing is added if one
    /// is invalid).
    @discardableResult
    public func enqueue(_ jobs: [NewJob]) async throws -> [EnqueueResult] {
        let jobs = Self.continuingTrace(jobs)
        let results = try await store.enqueue(jobs, now: clock.now())
        EnqueueMetrics.record(jobs)
        return results
    }

    /// Enqueues `job` under an idempotency key (see ``JobStore/enqueue(_:idempotency:now:)``): the
    /// same key with the same fingerprint answers with the same job for the key's retention,
    /// whatever its state.
    public func enqueue(_ job: NewJob, idempotency: IdempotencyKey) async throws -> IdempotentEnqueue {
        let job = Self.continuingTrace([job])[0]
        let outcome = try await store.enqueue(job, idempotency: idempotency, now: clock.now())
        if case .created = outcome { EnqueueMetrics.record([job]) }
        return outcome
    }

    /// `jobs` carrying the enqueuer's trace context, so its trace continues in them (see
    /// TracingMiddleware); a job's own metadata keys win.
    static func continuingTrace(_ jobs: [NewJob]) -> [NewJob] {
        let trace = TracingMiddleware.propagationMetadata()
        guard !trace.isEmpty else { return jobs }
        var jobs = jobs
        for i in jobs.indices { jobs[i].metadata.merge(trace) { own, _ in own } }
        return jobs
    }

    /// Waits until the job has finished and returns its record when it succeeded.
    ///
    /// Wakes on the store's finished-job events (``JobStore/finishedJobs()``), re-reading the job
    /// on each, with a one-second poll as the safety net. Throws
    /// `StewardError.jobDidNotSucceed` when it ended dead or cancelled,
    /// `StewardError.waitTimedOut` after `timeout`.
    public func waitForResult(_ id: JobID, timeout: Duration) async throws -> JobRecord {
        let deadline = ContinuousClock.now + timeout
        // Subscribed before the first read, so a finish between the read and the wait is not missed.
        let finished = WakeSignal()
        let events = store.finishedJobs()
        let listener = Task {
            for await _ in events { finished.notify() }
        }
        defer { listener.cancel() }
        while true {
            guard let record = try await store.job(id, now: clock.now()) else { throw StewardError.jobNotFound(id) }
            switch record.state {
            case .succeeded:
                return record
            case .dead, .cancelled:
                throw StewardError.jobDidNotSucceed(job: id, state: record.state, error: record.lastError)
            case .waiting, .scheduled, .available, .running:
                let left = deadline - ContinuousClock.now
                if left <= .zero { throw StewardError.waitTimedOut(job: id, state: record.state) }
                await finished.wait(timeout: min(.seconds(1), left))
                try Task.checkCancellation()
            }
        }
    }

    /// Waits for a job and decodes its JSON result as `T`.
    public func waitForResult<T: Decodable>(_ id: JobID, as type: T.Type, timeout: Duration) async throws -> T {
        let record = try await waitForResult(id, timeout: timeout)
        guard let result = record.result else {
            throw StewardError.invalidArgument(field: nil, message: "job \(id) succeeded without a result to decode as \(T.self)")
        }
        return try JSONCoding.decode(T.self, from: result)
    }

    /// The jobs with these ids, in order; `nil` for an id with no job (never enqueued, or purged).
    public func jobs(_ ids: [JobID]) async throws -> [JobRecord?] {
        let now = clock.now()
        var out: [JobRecord?] = []
        out.reserveCapacity(ids.count)
        for id in ids { out.append(try await store.job(id, now: now)) }
        return out
    }
}
