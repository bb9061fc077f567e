import Foundation

/// A job handed to a worker by `claim`: the record plus the lease it holds.
public struct ClaimedJob: Sendable {
    /// The job as claimed (state `running`, attempt already counted).
    public var record: JobRecord
    /// When the lease ends unless extended.
    public var leaseExpiresAt: Date
    /// The worker's number for this claim: the same job claimed again (after a suspension, a
    /// retry or a lost lease) is another claim, and what the worker learns about the old one
    /// (its lease lost, its outcome written) must not reach the new one.
    var claim: UInt64 = 0

    /// Creates a claimed job.
    public init(record: JobRecord, leaseExpiresAt: Date) {
        self.record = record
        self.leaseExpiresAt = leaseExpiresAt
    }

    /// Claimed records in the order a claim hands them out: priority (highest first), then
    /// run-at, then id. Stores return rows in any order; this is the contract's order.
    package static func inClaimOrder(_ records: [JobRecord], leaseExpiresAt: Date) -> [ClaimedJob] {
        records
            .sorted { ($0.priority, $1.runAt, $1.id) > ($1.priority, $0.runAt, $0.id) }
            .map { ClaimedJob(record: $0, leaseExpiresAt: leaseExpiresAt) }
    }
}

/// What a claim under a global rate limit returns.
public struct RateLimitedClaim: Sendable {
    /// The jobs claimed, in claim order.
    public var jobs: [ClaimedJob]
    /// How long until the shared bucket holds a whole token again; zero when it still does.
    public var nextTokenIn: Duration

    /// Creates a claim result.
    public init(jobs: [ClaimedJob], nextTokenIn: Duration) {
        self.jobs = jobs
        self.nextTokenIn = nextTokenIn
    }
}

/// One finished attempt, as kept in the job's history.
public struct AttemptRecord: Sendable, Equatable, Codable {
    /// The job.
    public var jobID: JobID
    /// The attempt's number.
    public var attempt: Int
    /// The worker that ran it.
    public var worker: String
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date
    /// `succeeded`, `retry`, `dead`, `cancelled`, `released` or `rescued`.
    public var outcome: String
    /// Its error, for attempts that failed.
    public var error: JobErrorInfo?

    /// Creates a history entry.
    public init(
        jobID: JobID, attempt: Int, worker: String, startedAt: Date, finishedAt: Date, outcome: String,
        error: JobErrorInfo?
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.worker = worker
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
    }
}
