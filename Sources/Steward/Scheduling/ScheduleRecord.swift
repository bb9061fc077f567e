import Foundation

/// A schedule as the store keeps it: its definition and its state.
public struct ScheduleRecord: Sendable, Equatable {
    /// The definition last registered.
    public var schedule: Schedule
    /// Paused schedules do not fire; survives restarts.
    public var paused: Bool
    /// The next nominal fire instant; `nil` when it will not fire again (a `once` that fired).
    public var nextFireAt: Date?
    /// The last nominal instant that enqueued a job (manual triggers included).
    public var lastFireAt: Date?
    /// The job that last fire enqueued.
    public var lastJobID: JobID?
    /// Instants not run because the previous run was still queued or running (`exclusive`).
    public var skippedRuns: Int
    /// Instants dropped by the misfire policy.
    public var missedRuns: Int
    /// When the schedule was first stored (anchors intervals without an anchor).
    public var createdAt: Date
    /// When its definition last changed.
    public var updatedAt: Date

    /// Creates a record.
    public init(
        schedule: Schedule, paused: Bool = false, nextFireAt: Date?, lastFireAt: Date? = nil, lastJobID: JobID? = nil,
        skippedRuns: Int = 0, missedRuns: Int = 0, createdAt: Date, updatedAt: Date
    ) {
        self.schedule = schedule
        self.paused = paused
        self.nextFireAt = nextFireAt
        self.lastFireAt = lastFireAt
        self.lastJobID = lastJobID
        self.skippedRuns = skippedRuns
        self.missedRuns = missedRuns
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The schedule's name.
    public var name: String { schedule.name }
}

/// One firing of a schedule, applied by ``ScheduleStore/recordScheduleFires(_:now:)`` atomically: the jobs are enqueued (each with a unique key per schedule and instant) and the
/// state advances, only if the stored next fire is still `expectedNextFireAt` (so a scheduler
/// with a stale view never fires twice).
public struct ScheduleFire: Sendable, Equatable {
    /// The schedule.
    public var name: String
    /// The stored next fire this firing was computed from; `nil` for a manual trigger, which
    /// neither checks nor moves it.
    public var expectedNextFireAt: Date?
    /// The next fire after this one (ignored for a manual trigger).
    public var nextFireAt: Date?
    /// The jobs to enqueue, one per instant run (empty when only the state advances).
    public var jobs: [NewJob]
    /// The latest nominal instant run.
    public var firedAt: Date?
    /// Instants dropped by the misfire policy.
    public var missed: Int
    /// Skip (and count) the jobs if the last run is still scheduled, available or running.
    public var exclusive: Bool

    /// Creates a firing.
    public init(
        name: String, expectedNextFireAt: Date?, nextFireAt: Date?, jobs: [NewJob], firedAt: Date?, missed: Int = 0,
        exclusive: Bool = false
    ) {
        self.name = name
        self.expectedNextFireAt = expectedNextFireAt
        self.nextFireAt = nextFireAt
        self.jobs = jobs
        self.firedAt = firedAt
        self.missed = missed
        self.exclusive = exclusive
    }
}

/// What ``ScheduleStore/recordScheduleFires(_:now:)`` did.
public enum ScheduleFireResult: Sendable, Equatable {
    /// The jobs were enqueued (a duplicate result means another scheduler already had).
    case fired([EnqueueResult])
    /// Not run: the previous run is still live; the skip was counted and the state advanced.
    case skippedExclusive(running: JobID)
    /// Nothing changed: the stored next fire moved on (another scheduler fired), the schedule is
    /// paused, or it does not exist.
    case stale
}
