import Foundation

/// One row of the queue listing (`queue list --json`); the settings are `null` for a queue that
/// has none stored (a dead-letter queue).
public struct QueueView: Encodable, Sendable, Equatable {
    /// The queue's name.
    public var name: String
    /// Whether workers skip it.
    public var paused: Bool
    /// Jobs queued to run (scheduled or available; what `max_depth` bounds). Jobs in the
    /// `waiting` state (for parents) are not counted here.
    public var waiting: Int
    /// Jobs running now.
    public var running: Int
    /// The most queued jobs it accepts.
    @Nullable public var maxDepth: Int?
    /// Where its dead jobs go.
    @Nullable public var deadLetterQueue: String?
    /// Attempts a job gets unless it sets its own.
    @Nullable public var maxAttempts: Int?

    enum CodingKeys: String, CodingKey {
        case name, paused, waiting, running, maxDepth = "max_depth", deadLetterQueue = "dead_letter_queue",
            maxAttempts = "max_attempts"
    }

    /// The view of a queue listing row.
    public init(_ q: QueueInfo) {
        name = q.name
        paused = q.paused
        waiting = q.waiting
        running = q.running
        maxDepth = q.settings?.maxDepth
        deadLetterQueue = q.settings?.deadLetterQueue
        maxAttempts = q.settings?.maxAttempts
    }
}

/// A stored schedule as every surface shows it (`schedule list --json`). A cron schedule's
/// instants carry its zone's offset, as `schedule preview` prints them.
public struct ScheduleView: Encodable, Sendable, Equatable {
    /// The schedule's name.
    public var name: String
    /// Whether it is paused.
    public var paused: Bool
    /// The trigger as text (`cron '0 9 * * *' in Europe/Paris`, `every 5m`, `once at …`).
    public var trigger: String
    /// The job it enqueues.
    public var job: String
    /// The queue it enqueues into.
    public var queue: String
    /// The next instant it fires; `null` when paused or done.
    @Nullable public var nextFireAt: String?
    /// The last instant it fired.
    @Nullable public var lastFireAt: String?
    /// The job its last firing enqueued.
    @Nullable public var lastJobID: Int64?
    /// Firings skipped (exclusive schedule whose last job still ran).
    public var skippedRuns: Int
    /// Firings missed while nothing ran the scheduler (see the misfire policy).
    public var missedRuns: Int

    enum CodingKeys: String, CodingKey {
        case name, paused, trigger, job, queue, nextFireAt = "next_fire_at", lastFireAt = "last_fire_at",
            lastJobID = "last_job_id", skippedRuns = "skipped_runs", missedRuns = "missed_runs"
    }

    /// The view of a stored schedule.
    public init(_ r: ScheduleRecord) {
        name = r.name
        paused = r.paused
        var zone = TimeZone(identifier: "UTC")!
        switch r.schedule.trigger {
        case .cron(let expression, let zoneName):
            trigger = "cron \(expression) (\(zoneName))"
            if let z = TimeZone(identifier: zoneName) { zone = z }
        case .interval(let seconds, _, let jitter):
            trigger = "every \(DurationParser.format(seconds))" + (jitter > 0 ? " ±\(DurationParser.format(jitter))" : "")
        case .once(let at):
            trigger = "once \(at.iso8601UTC)"
        }
        job = r.schedule.job.name
        queue = r.schedule.job.queue
        nextFireAt = r.nextFireAt.map { $0.iso8601(in: zone) }
        lastFireAt = r.lastFireAt.map { $0.iso8601(in: zone) }
        lastJobID = r.lastJobID?.rawValue
        skippedRuns = r.skippedRuns
        missedRuns = r.missedRuns
    }
}
