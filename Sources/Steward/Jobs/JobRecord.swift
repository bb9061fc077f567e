import Foundation

/// Everything the store knows about a job.
public struct JobRecord: Sendable, Equatable {
    public var id: JobID
    public var queue: String
    public var name: String
    public var payload: String
    public var state: JobState
    public var priority: Int
    public var runAt: Date
    public var attempt: Int
    public var maxAttempts: Int
    public var timeout: Duration?
    public var retryPolicy: RetryPolicy?
    public var metadata: [String: String]
    public var uniqueKey: String?
    public var progress: JobProgress?
    /// The handler's result as JSON text, for succeeded jobs within retention.
    public var result: String?
    public var lastError: JobErrorInfo?
    /// For dead jobs: the queue the job came from (its `queue` is the dead-letter queue).
    public var originalQueue: String?
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    /// Creates a record; stores build these from rows.
    public init(
        id: JobID, queue: String, name: String, payload: String, state: JobState, priority: Int,
        runAt: Date, attempt: Int, maxAttempts: Int, timeout: Duration?, retryPolicy: RetryPolicy?,
        metadata: [String: String], uniqueKey: String?, progress: JobProgress?, result: String?,
        lastError: JobErrorInfo?, originalQueue: String?, leaseOwner: String?, leaseExpiresAt: Date?,
        createdAt: Date, startedAt: Date?, finishedAt: Date?
    ) {
        self.id = id
        self.queue = queue
        self.name = name
        self.payload = payload
        self.state = state
        self.priority = priority
        self.runAt = runAt
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.metadata = metadata
        self.uniqueKey = uniqueKey
        self.progress = progress
        self.result = result
        self.lastError = lastError
        self.originalQueue = originalQueue
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// How many times the job has been retried after a failed attempt.
    public var retryCount: Int {
        switch state {
        case .running: max(0, attempt - 1)
        case .scheduled, .available: attempt
        case .succeeded, .cancelled, .dead: max(0, attempt - 1)
        }
    }
}

/// A job handed to a worker by `claim`: the record plus the lease it holds.
public struct ClaimedJob: Sendable {
    /// The job as claimed (state `running`, attempt already counted).
    public var record: JobRecord
    /// When the lease ends unless extended.
    public var leaseExpiresAt: Date

    /// Creates a claimed job.
    public init(record: JobRecord, leaseExpiresAt: Date) {
        self.record = record
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// One finished attempt, as kept in the job's history.
public struct AttemptRecord: Sendable, Equatable, Codable {
    public var jobID: JobID
    public var attempt: Int
    public var worker: String
    public var startedAt: Date
    public var finishedAt: Date
    /// `succeeded`, `retry`, `dead`, `cancelled`, `released` or `rescued`.
    public var outcome: String
    public var error: JobErrorInfo?

    /// Creates a history entry.
    public init(
        jobID: JobID, attempt: Int, worker: String, startedAt: Date, finishedAt: Date, outcome: String,
        error: JobErrorInfo?
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.worker = worker
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
    }
}
