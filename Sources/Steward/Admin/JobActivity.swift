import Foundation

/// What the dashboard's header and throughput chart read: where jobs stand over every queue, and
/// the attempts that ended per minute. Read only when someone looks (no counter is kept on the
/// write path): successes from the jobs that finished so (by queue), failures from the job
/// history (`steward_attempts`, by its `finished_at` index).
public protocol JobActivityStore: JobStore {
    /// Jobs running, due, scheduled for later (retries among them), waiting to retry and dead,
    /// over every queue; and the attempts that ended since `since`, per minute with any.
    func jobActivity(since: Date, now: Date) async throws -> JobActivity

    /// The jobs that depend on job `id` (its children), by ascending id.
    func dependents(of id: JobID) async throws -> [JobID]
}

/// Job counts over every queue and attempts per minute (``JobActivityStore/jobActivity(since:now:)``).
public struct JobActivity: Sendable, Equatable {
    /// Jobs running now.
    public var running: Int
    /// Jobs due to run (available, or scheduled with their time come), not yet claimed.
    public var available: Int
    /// Jobs scheduled for later, retries waiting for their backoff included.
    public var scheduled: Int
    /// Of ``scheduled``, the jobs waiting to retry after a failed attempt.
    public var retrying: Int
    /// Jobs that are dead (attempts exhausted or a permanent error).
    public var dead: Int
    /// Minutes in which attempts ended, oldest first.
    public var minutes: [AttemptMinute]

    /// Creates counts.
    public init(running: Int, available: Int, scheduled: Int, retrying: Int, dead: Int, minutes: [AttemptMinute]) {
        self.running = running
        self.available = available
        self.scheduled = scheduled
        self.retrying = retrying
        self.dead = dead
        self.minutes = minutes
    }
}

/// The attempts that ended in one minute: succeeded, and failed (a retry, dead, or a lost lease:
/// what a queue's error rate counts). Cancelled and given-back attempts are in neither.
public struct AttemptMinute: Sendable, Equatable {
    /// The minute's start (a whole minute since the Unix epoch).
    public var minute: Date
    /// Attempts that succeeded in it.
    public var succeeded: Int
    /// Attempts that failed in it.
    public var failed: Int

    /// Creates a minute.
    public init(minute: Date, succeeded: Int, failed: Int) {
        self.minute = minute
        self.succeeded = succeeded
        self.failed = failed
    }

    /// The whole minutes since the epoch of `date`.
    package static func index(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 60).rounded(.down)) }
}
