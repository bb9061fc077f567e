import Foundation

/// How one attempt ended, as handed to ``JobStore/complete(_:now:)``.
///
/// Every outcome is guarded by the lease: it applies only while the job is still `running`
/// under `owner`, so a job that was rescued or cancelled meanwhile is never overwritten.
public struct JobOutcome: Sendable, Equatable {
    /// What happens to the job.
    public enum Kind: Sendable, Equatable {
        /// It succeeded; `result` is its JSON result, if any.
        case succeeded(result: String?)
        /// It failed and runs again at `runAt`.
        case retry(runAt: Date, error: JobErrorInfo)
        /// It failed for the last time; it moves to its queue's dead-letter queue.
        case dead(error: JobErrorInfo)
        /// It stopped because it was cancelled.
        case cancelled(error: JobErrorInfo?)
        /// The worker gives it back unfinished (shutdown); it becomes available and the attempt
        /// is not counted.
        case released
    }

    /// The job.
    public var id: JobID
    /// The worker that holds its lease.
    public var owner: String
    /// When the attempt started (kept in the history).
    public var startedAt: Date
    /// What happens to it.
    public var kind: Kind

    /// Creates an outcome.
    public init(id: JobID, owner: String, startedAt: Date, kind: Kind) {
        self.id = id
        self.owner = owner
        self.startedAt = startedAt
        self.kind = kind
    }

    /// The outcome's name as written to the history.
    public var historyName: String {
        switch kind {
        case .succeeded: "succeeded"
        case .retry: "retry"
        case .dead: "dead"
        case .cancelled: "cancelled"
        case .released: "released"
        }
    }
}

/// A progress report to persist for a running job.
public struct ProgressUpdate: Sendable, Equatable {
    /// The job.
    public var id: JobID
    /// The worker that holds its lease.
    public var owner: String
    /// The report.
    public var progress: JobProgress

    /// Creates a progress update.
    public init(id: JobID, owner: String, progress: JobProgress) {
        self.id = id
        self.owner = owner
        self.progress = progress
    }
}

/// What a lease rescue did.
public struct RescueReport: Sendable, Equatable {
    /// Jobs returned to their queue for another attempt.
    public var requeued: [JobID]
    /// Jobs whose attempts were spent, moved to dead letters.
    public var deadLettered: [JobID]

    /// Creates a rescue report.
    public init(requeued: [JobID] = [], deadLettered: [JobID] = []) {
        self.requeued = requeued
        self.deadLettered = deadLettered
    }
}
