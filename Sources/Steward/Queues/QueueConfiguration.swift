/// How a worker runs one queue, and the settings it records in the store for everyone else.
public struct QueueConfiguration: Sendable {
    /// The queue's name.
    public var name: String
    /// How many of its jobs one worker process runs at once.
    public var concurrency: Int
    /// Limit on job starts per second (per worker process), if any.
    public var rateLimit: RateLimit?
    /// How failed jobs are retried unless a job overrides it.
    public var retryPolicy: RetryPolicy
    /// Where jobs go after their last attempt; default `<name>-dlq`.
    public var deadLetterQueue: String?
    /// The most jobs that may wait (scheduled or available); enqueue beyond fails with `queueFull`.
    public var maxDepth: Int?
    /// Default per-attempt timeout for jobs that set none.
    public var timeout: Duration?
    /// How long a claim holds a job before it is presumed lost; extended while the job runs.
    public var leaseDuration: Duration
    /// The most claimed jobs a worker may hold beyond the running ones (default 1,000).
    ///
    /// Within this bound the worker holds about ``prefetchWindow`` of work, measured from its
    /// recent completion rate: fast jobs are claimed hundreds at a time (one transaction for
    /// many jobs), slow jobs are claimed only as slots free up, so one worker never hoards slow
    /// jobs that other workers could start. Held jobs keep their lease; a worker that dies
    /// returns them through lease rescue. Rate-limited queues never prefetch.
    public var maxPrefetch: Int
    /// How much work, in time at the current completion rate, a worker keeps claimed ahead.
    public var prefetchWindow: Duration

    /// Creates a queue configuration.
    public init(
        name: String,
        concurrency: Int = 10,
        rateLimit: RateLimit? = nil,
        retryPolicy: RetryPolicy = .default,
        deadLetterQueue: String? = nil,
        maxDepth: Int? = nil,
        timeout: Duration? = nil,
        leaseDuration: Duration = .seconds(30),
        maxPrefetch: Int = 1_000,
        prefetchWindow: Duration = .milliseconds(25)
    ) {
        self.name = name
        self.concurrency = concurrency
        self.rateLimit = rateLimit
        self.retryPolicy = retryPolicy
        self.deadLetterQueue = deadLetterQueue
        self.maxDepth = maxDepth
        self.timeout = timeout
        self.leaseDuration = leaseDuration
        self.maxPrefetch = maxPrefetch
        self.prefetchWindow = prefetchWindow
    }

    /// The settings that live in the store (so CLI enqueues and lease rescue honour them).
    public var settings: QueueSettings {
        QueueSettings(
            name: name, maxDepth: maxDepth, deadLetterQueue: deadLetterQueue,
            maxAttempts: retryPolicy.maxAttempts)
    }

    /// Checks the numbers; the error names the queue, the field and the value.
    public func validate() throws {
        try NewJob.checkName(name, field: "queue name")
        if let dlq = deadLetterQueue { try NewJob.checkName(dlq, field: "queue '\(name)' deadLetterQueue") }
        if concurrency < 1 {
            throw StewardError.invalidArgument(field: "concurrency", message: "queue '\(name)' concurrency: must be at least 1, got \(concurrency)")
        }
        if let r = rateLimit { try r.validate(queue: name) }
        if let d = maxDepth, d < 1 || d > Int(Int32.max) {
            throw StewardError.invalidArgument(field: "maxDepth", message: "queue '\(name)' maxDepth: must be between 1 and \(Int32.max), got \(d)")
        }
        if maxPrefetch < 0 {
            throw StewardError.invalidArgument(field: "maxPrefetch", message: "queue '\(name)' maxPrefetch: must not be negative, got \(maxPrefetch)")
        }
        if leaseDuration < .seconds(1) {
            throw StewardError.invalidArgument(field: "leaseDuration", message: "queue '\(name)' leaseDuration: must be at least 1s")
        }
        try retryPolicy.validate()
    }
}

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

/// A queue as listed by the store.
public struct QueueInfo: Sendable, Equatable, Codable {
    /// The queue's name.
    public var name: String
    /// Whether workers skip it.
    public var paused: Bool
    /// Its stored settings, if a worker or the CLI configured it.
    public var settings: QueueSettings?
    /// Jobs waiting (scheduled or available).
    public var waiting: Int
    /// Jobs running.
    public var running: Int

    /// Creates a queue listing.
    public init(name: String, paused: Bool, settings: QueueSettings?, waiting: Int, running: Int) {
        self.name = name
        self.paused = paused
        self.settings = settings
        self.waiting = waiting
        self.running = running
    }
}

/// A queue's statistics, as `steward queue stats` reports them.
/// Encoded as every surface shows it (`queue stats --json`, `GET /api/v1/queues/NAME`): snake-case
/// keys, the error rate to 4 decimals, the oldest wait to the millisecond and `null` when nothing
/// waits.
public struct QueueStats: Sendable, Equatable, Encodable {
    /// The queue's name.
    public var queue: String
    /// Whether workers skip it.
    public var paused: Bool
    /// Job counts by state (every state present, zero when none).
    public var counts: [String: Int]
    /// Jobs running now.
    public var running: Int
    /// Attempts that succeeded in the last minute.
    public var succeededLastMinute: Int
    /// Attempts that failed (retry or dead) in the last minute.
    public var failedLastMinute: Int
    /// failed / (succeeded + failed) over the last minute; 0 when nothing ran.
    public var errorRate: Double
    /// Seconds the oldest due job has waited to start; `nil` when none waits.
    public var oldestWaitingAgeSeconds: Double?

    /// Creates queue statistics.
    public init(
        queue: String, paused: Bool, counts: [String: Int], running: Int, succeededLastMinute: Int,
        failedLastMinute: Int, oldestWaitingAgeSeconds: Double?
    ) {
        self.queue = queue
        self.paused = paused
        self.counts = counts
        self.running = running
        self.succeededLastMinute = succeededLastMinute
        self.failedLastMinute = failedLastMinute
        let total = succeededLastMinute + failedLastMinute
        self.errorRate = total == 0 ? 0 : Double(failedLastMinute) / Double(total)
        self.oldestWaitingAgeSeconds = oldestWaitingAgeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case queue, paused, counts, running, succeededLastMinute = "succeeded_last_minute",
            failedLastMinute = "failed_last_minute", errorRate = "error_rate", oldestWaitingAgeSeconds = "oldest_waiting_age_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(queue, forKey: .queue)
        try c.encode(paused, forKey: .paused)
        try c.encode(counts, forKey: .counts)
        try c.encode(running, forKey: .running)
        try c.encode(succeededLastMinute, forKey: .succeededLastMinute)
        try c.encode(failedLastMinute, forKey: .failedLastMinute)
        try c.encode((errorRate * 10_000).rounded() / 10_000, forKey: .errorRate)
        if let age = oldestWaitingAgeSeconds {
            try c.encode((age * 1000).rounded() / 1000, forKey: .oldestWaitingAgeSeconds)
        } else {
            try c.encodeNil(forKey: .oldestWaitingAgeSeconds)
        }
    }
}
