import Foundation

/// A job as a surface asks for it (the CLI's `job enqueue` flags, the HTTP API's `POST /jobs`
/// fields), turned into a ``NewJob`` by one set of rules for both. Field names in errors are the
/// API's (`max_attempts`, `run_at`); the store validates the result once as it enqueues it.
public struct EnqueueRequest: Sendable, Equatable {
    /// The job's registered name.
    public var name: String
    /// The queue; `default` unless named.
    public var queue: String
    /// The parameters as JSON text.
    public var payload: String
    /// Higher runs first.
    public var priority: Int
    /// Run no earlier than this instant.
    public var runAt: Date?
    /// Run no earlier than this long from now (the alternative to ``runAt``).
    public var delay: Duration?
    /// Per-attempt timeout.
    public var timeout: Duration?
    /// Total attempts, overriding the queue's policy (with the default backoff).
    public var maxAttempts: Int?
    /// While a live job holds this key, enqueuing returns it instead.
    public var uniqueKey: String?
    /// Metadata, carried to handlers and logs.
    public var metadata: [String: String]
    /// Jobs it runs after (each succeeded, dead or cancelled).
    public var after: [JobID]

    /// Creates a request; everything but the name is optional.
    public init(
        name: String, queue: String = "default", payload: String = "{}", priority: Int = 0, runAt: Date? = nil, delay: Duration? = nil,
        timeout: Duration? = nil, maxAttempts: Int? = nil, uniqueKey: String? = nil, metadata: [String: String] = [:], after: [JobID] = []
    ) {
        self.name = name
        self.queue = queue
        self.payload = payload
        self.priority = priority
        self.runAt = runAt
        self.delay = delay
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.metadata = metadata
        self.after = after
    }

    /// The job to enqueue at `now`.
    public func newJob(now: Date) throws -> NewJob {
        if runAt != nil, delay != nil {
            throw StewardError.invalidArgument(field: "delay", message: "delay: give run_at or delay, not both")
        }
        var policy: RetryPolicy? = nil
        if let maxAttempts {
            guard maxAttempts >= 1 else {
                throw StewardError.invalidArgument(field: "max_attempts", message: "max_attempts: must be at least 1, got \(maxAttempts)")
            }
            var p = RetryPolicy.default
            p.maxAttempts = maxAttempts
            policy = p
        }
        let options = JobOptions(
            priority: priority, delay: delay, runAt: runAt, timeout: timeout, retryPolicy: policy, metadata: metadata, uniqueKey: uniqueKey,
            dependsOn: after)
        return NewJob(queue: queue, name: name, payload: payload, options: options, now: now)
    }
}
