import Foundation
import Logging

/// What a handler knows about the attempt it runs: ids, attempt numbers, metadata, a logger,
/// progress reporting, cancellation, and a client to enqueue follow-up jobs.
public struct JobContext: Sendable {
    /// The job's id.
    public let id: JobID
    /// The job's registered name.
    public let name: String
    /// The queue it was claimed from.
    public let queue: String
    /// This attempt's number, starting at 1.
    public let attempt: Int
    /// How many attempts the job may have.
    public let maxAttempts: Int
    /// The job's metadata.
    public let metadata: [String: String]
    /// The job's payload, as JSON text.
    public let payload: String
    /// When the job was enqueued.
    public let enqueuedAt: Date
    /// The id of the worker running it.
    public let workerID: String
    /// The jobs it waited for (``NewJob/dependsOn``); ``parents()`` reads how each ended.
    public let dependsOn: [JobID]
    /// A client on the store this job came from: `context.client.enqueue(…)` starts follow-up
    /// jobs (`nil` for a context made without a store, as in a unit test of a handler).
    public let client: StewardClient?
    /// The worker's logger, without the job's metadata.
    let baseLogger: Logger
    /// Where the attempt's reports go: progress, and a payload rewritten for it (which the
    /// worker stores with the outcome).
    let report: @Sendable (Report) -> Void

    /// What an attempt reports to its worker while it runs.
    enum Report: Sendable {
        case progress(JobProgress)
        case payload(String)
    }

    /// Creates a context; the worker does this, tests may too.
    public init(
        id: JobID, name: String, queue: String, attempt: Int, maxAttempts: Int, metadata: [String: String],
        payload: String, enqueuedAt: Date, workerID: String, logger: Logger, client: StewardClient? = nil,
        dependsOn: [JobID] = [], progressSink: @escaping @Sendable (JobProgress) -> Void = { _ in }
    ) {
        self.init(
            id: id, name: name, queue: queue, attempt: attempt, maxAttempts: maxAttempts, metadata: metadata, payload: payload,
            enqueuedAt: enqueuedAt, workerID: workerID, logger: logger, client: client, dependsOn: dependsOn,
            report: { if case .progress(let p) = $0 { progressSink(p) } })
    }

    /// The worker's context: one closure takes every report.
    init(
        id: JobID, name: String, queue: String, attempt: Int, maxAttempts: Int, metadata: [String: String],
        payload: String, enqueuedAt: Date, workerID: String, logger: Logger, client: StewardClient?,
        dependsOn: [JobID], report: @escaping @Sendable (Report) -> Void
    ) {
        self.client = client
        self.id = id
        self.name = name
        self.queue = queue
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.metadata = metadata
        self.payload = payload
        self.enqueuedAt = enqueuedAt
        self.workerID = workerID
        self.dependsOn = dependsOn
        self.baseLogger = logger
        self.report = report
    }

    /// The same attempt with another payload (the workflow engine renders a task's input), which
    /// the worker keeps as the job's payload when the attempt ends.
    func with(payload: String) -> JobContext {
        report(.payload(payload))
        return JobContext(
            id: id, name: name, queue: queue, attempt: attempt, maxAttempts: maxAttempts, metadata: metadata, payload: payload,
            enqueuedAt: enqueuedAt, workerID: workerID, logger: baseLogger, client: client, dependsOn: dependsOn, report: report)
    }

    /// A logger carrying `job.id`, `job.name`, `job.queue` and `job.attempt`.
    ///
    /// Built on access: setting metadata is costly for some handlers (StreamLogHandler renders
    /// it on every change), and most attempts never log.
    public var logger: Logger {
        var l = baseLogger
        var metadata = l.handler.metadata
        metadata["job.id"] = "\(id)"
        metadata["job.name"] = "\(name)"
        metadata["job.queue"] = "\(queue)"
        metadata["job.attempt"] = "\(attempt)"
        l.handler.metadata = metadata
        return l
    }

    /// Whether the logger would emit at `level` (check before building costly messages).
    public func logs(at level: Logger.Level) -> Bool {
        baseLogger.logLevel <= level
    }

    /// Records progress; persisted shortly after (reports are coalesced, the latest wins).
    public func reportProgress(_ progress: JobProgress) {
        report(.progress(progress))
    }

    /// Records progress from its parts.
    public func reportProgress(step: Int? = nil, of totalSteps: Int? = nil, percent: Double? = nil, message: String? = nil) {
        var pct = percent
        if pct == nil, let step, let totalSteps, totalSteps > 0 {
            pct = Double(step) / Double(totalSteps) * 100
        }
        report(.progress(JobProgress(step: step, totalSteps: totalSteps, percent: pct, message: message)))
    }

    /// Whether the attempt was asked to stop (timeout, cancel, lost lease, shutdown).
    public var isCancelled: Bool { Task.isCancelled }

    /// Throws `CancellationError` if the attempt was asked to stop.
    public func checkCancellation() throws {
        try Task.checkCancellation()
    }

    /// The jobs this one waited for, each as it ended (state, result, error), in ``dependsOn``
    /// order; `nil` where one was purged since.
    public func parents() async throws -> [JobRecord?] {
        guard let client else { throw StewardError.invalidArgument(field: "context", message: "context: this job context has no store to read parents from") }
        return try await client.jobs(dependsOn)
    }

    /// Enqueues follow-up jobs on this job's store, in one transaction.
    @discardableResult
    public func enqueue(_ jobs: [NewJob]) async throws -> [EnqueueResult] {
        guard let client else { throw StewardError.invalidArgument(field: "context", message: "context: this job context has no store to enqueue into") }
        return try await client.enqueue(jobs)
    }

    /// Enqueues one typed follow-up job on this job's store.
    @discardableResult
    public func enqueue<J: JobParameters>(_ job: J, queue: String? = nil, options: JobOptions = JobOptions()) async throws
        -> EnqueueResult
    {
        guard let client else { throw StewardError.invalidArgument(field: "context", message: "context: this job context has no store to enqueue into") }
        return try await client.enqueue(job, queue: queue, options: options)
    }
}
