import Foundation

/// Everything the store knows about a job.
public struct JobRecord: Sendable, Equatable {
    /// The job's id.
    public var id: JobID
    /// The queue it is in (for dead jobs, the dead-letter queue).
    public var queue: String
    /// The registered job name.
    public var name: String
    /// The parameters, as JSON text.
    public var payload: String
    /// Where it stands (a due `scheduled` job reads as `available`).
    public var state: JobState
    /// Higher runs first.
    public var priority: Int
    /// The earliest instant it may run (the next retry's instant after a failure).
    public var runAt: Date
    /// Attempts started so far (the running one included).
    public var attempt: Int
    /// Attempts it may have.
    public var maxAttempts: Int
    /// Per-attempt timeout, if the job set one.
    public var timeout: Duration?
    /// The job's own retry policy, if it overrides the queue's.
    public var retryPolicy: RetryPolicy?
    /// String metadata given at enqueue.
    public var metadata: [String: String]
    /// Its idempotency key, if any.
    public var uniqueKey: String?
    /// The latest progress report of the running (or last) attempt.
    public var progress: JobProgress?
    /// The handler's result as JSON text, for succeeded jobs within retention.
    public var result: String?
    /// The error of the last failed attempt (kept after a later success).
    public var lastError: JobErrorInfo?
    /// For dead jobs: the queue the job came from (its `queue` is the dead-letter queue).
    public var originalQueue: String?
    /// The worker holding (or, when finished, that last held) its lease.
    public var leaseOwner: String?
    /// When the current lease ends unless extended.
    public var leaseExpiresAt: Date?
    /// When it was enqueued.
    public var createdAt: Date
    /// When its latest attempt was claimed.
    public var startedAt: Date?
    /// When it reached a final state.
    public var finishedAt: Date?
    /// The jobs it waited for (``NewJob/dependsOn``), ascending; empty when none.
    public var dependsOn: [JobID]

    /// Creates a record; stores build these from rows.
    public init(
        id: JobID, queue: String, name: String, payload: String, state: JobState, priority: Int,
        runAt: Date, attempt: Int, maxAttempts: Int, timeout: Duration?, retryPolicy: RetryPolicy?,
        metadata: [String: String], uniqueKey: String?, progress: JobProgress?, result: String?,
        lastError: JobErrorInfo?, originalQueue: String?, leaseOwner: String?, leaseExpiresAt: Date?,
        createdAt: Date, startedAt: Date?, finishedAt: Date?, dependsOn: [JobID] = []
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
        self.progress = state == .succeeded ? progress?.finished : progress
        self.result = result
        self.lastError = lastError
        self.originalQueue = originalQueue
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.dependsOn = dependsOn
    }

    /// How many times the job has been retried after a failed attempt.
    public var retryCount: Int {
        switch state {
        case .running: max(0, attempt - 1)
        case .waiting, .scheduled, .available: attempt
        case .succeeded, .cancelled, .dead: max(0, attempt - 1)
        }
    }
}

extension JobRecord {
    /// Decodes the JSON a store keeps for a job's retry policy and metadata (see
    /// ``NewJob/storedRetryPolicy()`` and ``NewJob/storedMetadata()``).
    package static func decodeStored(retryPolicy: String?, metadata: String?) throws -> (RetryPolicy?, [String: String]) {
        (try retryPolicy.map { try retryPolicies.decode($0) }, try metadata.map(decodeMetadata) ?? [:])
    }

    /// Every read job carries these two texts; a profile of a workflow bench on SQLite put ~9 % of
    /// the process in decoding them with Foundation's decoder. A queue's jobs share a few retry
    /// policies (decoded once per text); metadata goes through the hand parser.
    private static let retryPolicies = DecodeMemo<RetryPolicy>(budget: 1 << 20)

    private static func decodeMetadata(_ text: String) throws -> [String: String] {
        if case .object(let fields)? = JSONValue(parsing: text) {
            var out: [String: String] = [:]
            out.reserveCapacity(fields.count)
            for (key, value) in fields {
                guard case .string(let s) = value else { return try JSONCoding.decode([String: String].self, from: text) }
                out[key] = s
            }
            return out
        }
        // Not an object of strings: the decoder's error says what is wrong.
        return try JSONCoding.decode([String: String].self, from: text)
    }

    /// Decodes the parents a store keeps as a JSON array of ids (see ``NewJob/storedParents``).
    package static func decodeParents(_ text: String?) throws -> [JobID] {
        guard let text else { return [] }
        return try JSONCoding.decode([Int64].self, from: text).map { JobID($0) }
    }

    /// The parents as the JSON text a store keeps.
    package static func encodeParents(_ ids: [Int64]?) throws -> String? {
        try ids.map { try JSONCoding.encode($0) }
    }
}
