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
