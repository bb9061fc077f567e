import Foundation

/// A queue's statistics as every surface shows them (`queue stats --json`).
public struct QueueStatsView: Encodable, Sendable, Equatable {
    public var queue: String
    public var paused: Bool
    public var counts: [String: Int]
    public var running: Int
    public var succeededLastMinute: Int
    public var failedLastMinute: Int
    public var errorRate: Double
    /// `null` when nothing waits.
    @Nullable public var oldestWaitingAgeSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case queue, paused, counts, running, succeededLastMinute = "succeeded_last_minute",
            failedLastMinute = "failed_last_minute", errorRate = "error_rate", oldestWaitingAgeSeconds = "oldest_waiting_age_s"
    }

    /// The view of queue statistics.
    public init(_ s: QueueStats) {
        queue = s.queue
        paused = s.paused
        counts = s.counts
        running = s.running
        succeededLastMinute = s.succeededLastMinute
        failedLastMinute = s.failedLastMinute
        errorRate = (s.errorRate * 10_000).rounded() / 10_000
        oldestWaitingAgeSeconds = s.oldestWaitingAgeSeconds.map { ($0 * 1000).rounded() / 1000 }
    }
}

/// One row of the queue listing (`queue list --json`); the settings are `null` for a queue that
/// has none stored (a dead-letter queue).
public struct QueueView: Encodable, Sendable, Equatable {
    public var name: String
    public var paused: Bool
    public var waiting: Int
    public var running: Int
    @Nullable public var maxDepth: Int?
    @Nullable public var deadLetterQueue: String?
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
    public var name: String
    public var paused: Bool
    public var trigger: String
    public var job: String
    public var queue: String
    @Nullable public var nextFireAt: String?
    @Nullable public var lastFireAt: String?
    @Nullable public var lastJobID: Int64?
    public var skippedRuns: Int
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
