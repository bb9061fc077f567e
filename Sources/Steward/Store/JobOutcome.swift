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
        /// It was claimed but its work does not apply (a workflow task skipped by its condition or
        /// trigger, or left behind by a halted execution): it ends `cancelled` with `reason` as
        /// its error, the attempt not counted and no attempt in its history; it never ran.
        case notRun(reason: JobErrorInfo)
        /// A code workflow's run waits (a timer, a message, a child): the job is `scheduled` at
        /// `until` and the attempt is not counted; what it waits for makes it due sooner. Written
        /// through ``DurableStore/changeDurableRun(_:reading:now:_:)``, in the transaction that
        /// checks nothing it waits for has arrived.
        case suspended(until: Date)

        /// Whether the job reaches a final state (succeeded, dead or cancelled), which releases
        /// the jobs that wait for it.
        public var finishesJob: Bool {
            switch self {
            case .succeeded, .dead, .cancelled, .notRun: true
            case .retry, .released, .suspended: false
            }
        }

        /// The name written to a job's history for an attempt that ended this way.
        public var historyName: String {
            switch self {
            case .succeeded: HistoryName.succeeded.rawValue
            case .retry: HistoryName.retry.rawValue
            case .dead: HistoryName.dead.rawValue
            case .cancelled, .notRun: HistoryName.cancelled.rawValue
            case .released: HistoryName.released.rawValue
            case .suspended: HistoryName.suspended.rawValue
            }
        }
    }

    /// The job.
    public var id: JobID
    /// The worker that holds its lease.
    public var owner: String
    /// When the attempt started (kept in the history).
    public var startedAt: Date
    /// What happens to it.
    public var kind: Kind
    /// A payload to keep in place of the enqueued one: what the attempt actually ran with (a
    /// workflow task's rendered input), so the job's record shows it.
    public var payload: String?

    /// Creates an outcome.
    public init(id: JobID, owner: String, startedAt: Date, kind: Kind, payload: String? = nil) {
        self.id = id
        self.owner = owner
        self.startedAt = startedAt
        self.kind = kind
        self.payload = payload
    }

    /// The outcome's name as written to the history.
    public var historyName: String { kind.historyName }

    /// The names a job's history records attempts under; spelled only here.
    package enum HistoryName: String, CaseIterable {
        case succeeded, retry, dead, cancelled, released, suspended
        /// The lease expired (see ``LeaseRescue``).
        case rescued

        /// History names of attempts that failed (what a queue's error rate counts), as a SQL list.
        package static let failedSQL = [HistoryName.retry, .dead, .rescued].map { "'\($0.rawValue)'" }.joined(separator: ", ")
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
