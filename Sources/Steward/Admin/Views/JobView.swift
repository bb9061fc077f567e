import Foundation

/// A job as every surface shows it (`--json`, the HTTP API, the dashboard): snake_case keys,
/// ISO-8601 instants, payload and result embedded as JSON, `null` for what is absent.
public struct JobView: Encodable, Sendable, Equatable {
    /// Progress as reported by the handler.
    public struct Progress: Encodable, Sendable, Equatable {
        @Nullable public var step: Int?
        @Nullable public var totalSteps: Int?
        @Nullable public var percent: Double?
        @Nullable public var message: String?

        enum CodingKeys: String, CodingKey {
            case step, totalSteps = "total_steps", percent, message
        }
    }

    /// The last error.
    public struct ErrorView: Encodable, Sendable, Equatable {
        public var type: String
        public var message: String
        public var attempt: Int
    }

    public var id: Int64
    public var queue: String
    public var name: String
    public var state: String
    public var attempt: Int
    public var maxAttempts: Int
    public var retries: Int
    public var priority: Int
    public var payload: JSONValue
    @Nullable public var progress: Progress?
    @Nullable public var error: ErrorView?
    @Nullable public var result: JSONValue?
    public var metadata: [String: String]
    @Nullable public var uniqueKey: String?
    @Nullable public var originalQueue: String?
    @Nullable public var leaseOwner: String?
    public var runAt: String
    public var createdAt: String
    @Nullable public var startedAt: String?
    @Nullable public var finishedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, queue, name, state, attempt, maxAttempts = "max_attempts", retries, priority, payload, progress, error,
            result, metadata, uniqueKey = "unique_key", originalQueue = "original_queue", leaseOwner = "lease_owner",
            runAt = "run_at", createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
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
        runAt = r.runAt.iso8601UTC
        createdAt = r.createdAt.iso8601UTC
        startedAt = r.startedAt?.iso8601UTC
        finishedAt = r.finishedAt?.iso8601UTC
    }
}

/// What an enqueue returned (`job enqueue --json`, `schedule trigger --json`).
public struct EnqueueView: Encodable, Sendable, Equatable {
    public var id: Int64
    public var state: String
    public var duplicate: Bool

    /// The view of an enqueue result.
    public init(_ r: EnqueueResult) {
        (id, state, duplicate) = (r.id.rawValue, r.state.rawValue, r.duplicate)
    }
}

/// One finished attempt of a job (`job history --json`).
public struct AttemptView: Encodable, Sendable, Equatable {
    public var attempt: Int
    public var worker: String
    public var startedAt: String
    public var finishedAt: String
    public var outcome: String
    @Nullable public var errorType: String?
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
    public var matched: Int
    public var changed: [Int64]
    public var skipped: [Int64]
}
