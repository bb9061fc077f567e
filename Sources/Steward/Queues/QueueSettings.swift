

/// Queue settings persisted in the store.
public struct QueueSettings: Sendable, Equatable, Codable {
    /// The queue's name.
    public var name: String
    /// Enqueue fails with `queueFull` once this many jobs wait.
    public var maxDepth: Int?
    /// Where dead jobs go.
    public var deadLetterQueue: String
    /// Attempts given to jobs enqueued without their own retry policy.
    public var maxAttempts: Int

    /// The suffix of a queue's default dead-letter queue (`mail` -> `mail-dlq`). The stores use
    /// it (bound, never spelled in SQL) for a queue without stored settings.
    public static let deadLetterSuffix = "-dlq"

    /// The dead-letter queue of `queue` when none is configured.
    public static func defaultDeadLetterQueue(for queue: String) -> String { queue + deadLetterSuffix }

    /// How many attempts `job` gets: its own retry policy's, else its queue's stored default
    /// (`queueDefault`), else ``RetryPolicy/default``. PostgreSQL's one-statement enqueue spells
    /// the same rule as `coalesce(job, queue, default)` so a single enqueue stays one round trip.
    package static func maxAttempts(of job: NewJob, queueDefault: Int?) -> Int {
        job.retryPolicy?.maxAttempts ?? queueDefault ?? RetryPolicy.default.maxAttempts
    }

    /// The bound on a queue's depth, checked by the stores after an enqueue's inserts (in its
    /// transaction, with the queue's row locked): `waiting` queued jobs (scheduled or available)
    /// may be at most `maxDepth`; more refuses the whole enqueue.
    package static func checkDepth(queue: String, waiting: Int, maxDepth: Int?) throws {
        if let maxDepth, waiting > maxDepth { throw StewardError.queueFull(queue: queue, maxDepth: maxDepth) }
    }

    /// Creates queue settings.
    public init(name: String, maxDepth: Int? = nil, deadLetterQueue: String? = nil, maxAttempts: Int = 5) {
        self.name = name
        self.maxDepth = maxDepth
        self.deadLetterQueue = deadLetterQueue ?? Self.defaultDeadLetterQueue(for: name)
        self.maxAttempts = maxAttempts
    }
}
