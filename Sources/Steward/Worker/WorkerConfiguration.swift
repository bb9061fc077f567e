import Foundation

/// Settings of one worker process (queues are configured separately, per queue).
public struct WorkerConfiguration: Sendable {
    /// This worker's identity: the owner of its leases. Unique per process.
    public var workerID: String
    /// How often leases of running jobs are extended; also how soon a running job notices it
    /// was cancelled.
    public var heartbeatInterval: Duration
    /// How often progress reports are written (coalesced per job).
    public var progressFlushInterval: Duration
    /// The slowest an idle queue loop looks for work when no wake-up arrives.
    public var pollInterval: Duration
    /// On graceful shutdown, how long running jobs may finish before they are cancelled and
    /// released back to their queue.
    public var shutdownGracePeriod: Duration
    /// Finished attempts waiting to be written; when full, finishing jobs wait (back-pressure).
    public var completionBufferLimit: Int
    /// The longest the worker waits for one store call before abandoning and retrying it (a
    /// call on a connection the database dropped may otherwise never return).
    public var storeCallTimeout: Duration
    /// Whether the standard middleware (tracing, metrics, logging) wraps every attempt.
    public var standardMiddleware: Bool
    /// Whether the logging middleware includes payloads.
    public var logPayloads: Bool
    /// Your middleware, outermost first, inside the standard ones.
    public var middleware: [any JobMiddleware]

    /// Creates a worker configuration with defaults suited to production.
    public init(
        workerID: String = WorkerConfiguration.defaultWorkerID(),
        heartbeatInterval: Duration = .seconds(2),
        progressFlushInterval: Duration = .milliseconds(200),
        pollInterval: Duration = .seconds(1),
        shutdownGracePeriod: Duration = .seconds(10),
        completionBufferLimit: Int = 10_000,
        storeCallTimeout: Duration = .seconds(30),
        standardMiddleware: Bool = true,
        logPayloads: Bool = false,
        middleware: [any JobMiddleware] = []
    ) {
        self.workerID = workerID
        self.heartbeatInterval = heartbeatInterval
        self.progressFlushInterval = progressFlushInterval
        self.pollInterval = pollInterval
        self.shutdownGracePeriod = shutdownGracePeriod
        self.completionBufferLimit = completionBufferLimit
        self.storeCallTimeout = storeCallTimeout
        self.standardMiddleware = standardMiddleware
        self.logPayloads = logPayloads
        self.middleware = middleware
    }

    /// `host:pid:random`, unique across processes and restarts.
    public static func defaultWorkerID() -> String { ProcessIdentity.owner() }
}
