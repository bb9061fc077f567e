import Foundation

/// A line of an execution's log.
public struct WorkflowEvent: Sendable, Codable, Equatable {
    /// When.
    public var at: Date
    /// `created`, `queued`, `started`, `succeeded`, `failed`, `retried`, `skipped`, `cancelled`,
    /// `halted`, `timed_out`, `compensating`, `compensated`, `compensation_failed`, `finished`, …
    public var kind: String
    /// The task it concerns, if any.
    public var task: String?
    /// The attempt, for task attempts.
    public var attempt: Int?
    /// The worker, for task attempts.
    public var worker: String?
    /// Details: an error, a reason, an outcome.
    public var message: String?

    /// Creates an event.
    public init(at: Date, kind: String, task: String? = nil, attempt: Int? = nil, worker: String? = nil, message: String? = nil) {
        self.at = at
        self.kind = kind
        self.task = task
        self.attempt = attempt
        self.worker = worker
        self.message = message
    }
}
