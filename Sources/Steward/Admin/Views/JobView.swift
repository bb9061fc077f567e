import Foundation

/// A job as every surface shows it (`--json`, the HTTP API, the dashboard): snake_case keys,
/// ISO-8601 instants, payload and result embedded as JSON, `null` for what is absent.
public struct JobView: Encodable, Sendable, Equatable {
    /// Progress as reported by the handler.
    public struct Progress: Encodable, Sendable, Equatable {
        /// The current step.
        @Nullable public var step: Int?
        /// How many steps there are.
        @Nullable public var totalSteps: Int?
        /// Percent done, 0–100.
        @Nullable public var percent: Double?
        /// A short message.
        @Nullable public var message: String?

        enum CodingKeys: String, CodingKey {
            case step, totalSteps = "total_steps", percent, message
        }
    }

    /// The last error.
    public struct ErrorView: Encodable, Sendable, Equatable {
        /// The error's type name (what retry-on lists match).
        public var type: String
        /// Its message.
        public var message: String
        /// The attempt it ended.
        public var attempt: Int
    }

    /// The job's id.
    public var id: Int64
    /// Its queue (for dead jobs, the dead-letter queue).
    public var queue: String
    /// The registered job name.
    public var name: String
    /// `waiting`, `scheduled`, `available`, `running`, `succeeded`, `cancelled` or `dead`.
    public var state: String
    /// Attempts started so far.
    public var attempt: Int
    /// Attempts it may have.
    public var maxAttempts: Int
    /// Retries after failed attempts.
    public var retries: Int
    /// Higher runs first.
    public var priority: Int
    /// The parameters, embedded as JSON.
    public var payload: JSONValue
    /// The latest progress report.
    @Nullable public var progress: Progress?
    /// The last failed attempt's error (kept after a later success).
    @Nullable public var error: ErrorView?
    /// The handler's result, embedded as JSON (text that is not JSON becomes a string).
    @Nullable public var result: JSONValue?
    /// String metadata given at enqueue.
    public var metadata: [String: String]
    /// The idempotency key.
    @Nullable public var uniqueKey: String?
    /// For dead jobs: the queue it came from.
    @Nullable public var originalQueue: String?
    /// The worker holding its lease, while it runs.
    @Nullable public var leaseOwner: String?
    /// The jobs it waits (or waited) for; empty when none.
    public var dependsOn: [Int64]
    /// The earliest instant it may run (ISO-8601, UTC).
    public var runAt: String
    /// When it was enqueued.
    public var createdAt: String
    /// When its latest attempt started.
    @Nullable public var startedAt: String?
    /// When it reached a final state.
    @Nullable public var finishedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, queue, name, state, attempt, maxAttempts = "max_attempts", retries, priority, payload, progress, error,
            result, metadata, uniqueKey = "unique_key", originalQueue = "original_queue", leaseOwner = "lease_owner",
            dependsOn = "depends_on", runAt = "run_at", createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
    }

    /// The view of a stored job.
    public init(_ r: JobRecord) {
        id = r.id.rawValue
        queue = r.queue
        name = r.name
        state = r.state.rawValue
        attempt = r.attempt
        maxAttempts = r.maxAttempts
        retries = r.retryCount
        priority = r.priority
        payload = JSONValue(parsing: r.payload) ?? .string(r.payload)
        progress = r.progress.map { Progress(step: $0.step, totalSteps: $0.totalSteps, percent: $0.percent, message: $0.message) }
        error = r.lastError.map { ErrorView(type: $0.type, message: $0.message, attempt: $0.attempt) }
        result = r.result.map { JSONValue(parsing: $0) ?? .string($0) }
        metadata = r.metadata
        uniqueKey = r.uniqueKey
        originalQueue = r.originalQueue
        leaseOwner = r.state == .running ? r.leaseOwner : nil
        dependsOn = r.dependsOn.map(\.rawValue)
        runAt = r.runAt.iso8601UTC
        createdAt = r.createdAt.iso8601UTC
        startedAt = r.startedAt?.iso8601UTC
        finishedAt = r.finishedAt?.iso8601UTC
    }
}

/// What an enqueue returned (`job enqueue --json`, `schedule trigger --json`).
public struct EnqueueView: Encodable, Sendable, Equatable {
    /// The job's id (the existing job's, for a duplicate).
    public var id: Int64
    /// Its state right after enqueue.
    public var state: String
    /// Whether a live job with the same unique key was returned instead of a new one.
    public var duplicate: Bool

    /// The view of an enqueue result.
    public init(_ r: EnqueueResult) {
        (id, state, duplicate) = (r.id.rawValue, r.state.rawValue, r.duplicate)
    }
}

/// One finished attempt of a job (`job history --json`).
public struct AttemptView: Encodable, Sendable, Equatable {
    /// The attempt's number, from 1.
    public var attempt: Int
    /// The worker that ran it.
    public var worker: String
    /// When it started (ISO-8601, UTC).
    public var startedAt: String
    /// When it ended.
    public var finishedAt: String
    /// `succeeded`, `retry`, `dead`, `cancelled`, `released` or `rescued`.
    public var outcome: String
    /// The error's type name, when it failed.
    @Nullable public var errorType: String?
    /// The error's message, when it failed.
    @Nullable public var errorMessage: String?

    enum CodingKeys: String, CodingKey {
        case attempt, worker, startedAt = "started_at", finishedAt = "finished_at", outcome, errorType = "error_type",
            errorMessage = "error_message"
    }

    /// The view of an attempt.
    public init(_ a: AttemptRecord) {
        attempt = a.attempt
        worker = a.worker
        startedAt = a.startedAt.iso8601UTC
        finishedAt = a.finishedAt.iso8601UTC
        outcome = a.outcome
        errorType = a.error?.type
        errorMessage = a.error?.message
    }
}

/// What a bulk cancel or retry did (`job cancel --queue …`): how many jobs matched the filter,
/// how many changed, and which could not (they had moved on meanwhile).
public struct BulkResultView: Encodable, Sendable, Equatable {
    /// How many jobs matched the filter.
    public var matched: Int
    /// The jobs that were cancelled or retried.
    public var changed: [Int64]
    /// The jobs that had moved on meanwhile (finished, or no longer retryable).
    public var skipped: [Int64]
}
