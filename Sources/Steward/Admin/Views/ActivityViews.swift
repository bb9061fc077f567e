import Foundation

/// Where jobs stand over every queue and what ran per minute (`GET /api/v1/activity`,
/// `steward job activity --json`, the dashboard's header and throughput chart).
public struct ActivityView: Encodable, Sendable, Equatable {
    /// Attempts that ended in one minute.
    public struct Minute: Encodable, Sendable, Equatable {
        /// The minute's start (ISO-8601, UTC).
        public var at: String
        /// Attempts that succeeded in it.
        public var succeeded: Int
        /// Attempts that failed in it (a retry, dead, or a lost lease).
        public var failed: Int
    }

    /// When this was read (ISO-8601, UTC).
    public var at: String
    /// The start of the UTC day the `_today` counts cover.
    public var dayStart: String
    /// Attempts that ended today (UTC), succeeded or failed.
    public var processedToday: Int
    /// Of them, the ones that failed.
    public var failedToday: Int
    /// Jobs running now.
    public var running: Int
    /// Jobs due to run, not yet claimed.
    public var enqueued: Int
    /// Jobs scheduled for later, retries included.
    public var scheduled: Int
    /// Of `scheduled`, the jobs waiting to retry after a failed attempt.
    public var retrying: Int
    /// Dead jobs.
    public var dead: Int
    /// The last `minutes.count` minutes, oldest first, the current one last: every minute present
    /// (zero when nothing ended in it).
    public var minutes: [Minute]

    enum CodingKeys: String, CodingKey {
        case at, dayStart = "day_start", processedToday = "processed_today", failedToday = "failed_today", running, enqueued, scheduled,
            retrying, dead, minutes
    }

    /// The view of `activity` read at `now`, with its last `window` minutes.
    init(_ activity: JobActivity, now: Date, dayStart: Date, window: Int) {
        at = now.iso8601UTC
        self.dayStart = dayStart.iso8601UTC
        let byMinute = Dictionary(activity.minutes.map { (AttemptMinute.index($0.minute), $0) }, uniquingKeysWith: { a, _ in a })
        let today = activity.minutes.filter { $0.minute >= dayStart }
        processedToday = today.reduce(0) { $0 + $1.succeeded + $1.failed }
        failedToday = today.reduce(0) { $0 + $1.failed }
        running = activity.running
        enqueued = activity.available
        scheduled = activity.scheduled
        retrying = activity.retrying
        dead = activity.dead
        let last = AttemptMinute.index(now)
        minutes = (0..<window).reversed().map { back in
            let m = last - Int64(back)
            let found = byMinute[m]
            return Minute(
                at: Date(timeIntervalSince1970: Double(m) * 60).iso8601UTC, succeeded: found?.succeeded ?? 0, failed: found?.failed ?? 0)
        }
    }
}

extension JobAdmin {
    /// The longest window ``activity(minutes:)`` reads: a day.
    public static let activityWindowLimit = 1_440

    /// Counts over every queue, today's attempts, and the last `minutes` minutes' attempts
    /// (1 to 1,440).
    public func activity(minutes window: Int = 60) async throws -> ActivityView {
        guard (1...Self.activityWindowLimit).contains(window) else {
            throw StewardError.invalidArgument(
                field: "minutes", message: "minutes: must be between 1 and \(Self.activityWindowLimit), got \(window)")
        }
        let store = try activityStore()
        let now = clock.now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let dayStart = calendar.startOfDay(for: now)
        let windowStart = Date(timeIntervalSince1970: Double(AttemptMinute.index(now) - Int64(window) + 1) * 60)
        let activity = try await store.jobActivity(since: min(dayStart, windowStart), now: now)
        return ActivityView(activity, now: now, dayStart: dayStart, window: window)
    }

    /// The jobs that depend on job `id` (its children), by ascending id
    /// (`StewardError.jobNotFound` for an unknown id).
    public func dependents(_ id: JobID) async throws -> [JobID] {
        _ = try await get(id)
        return try await activityStore().dependents(of: id)
    }

    private func activityStore() throws -> any JobActivityStore {
        guard let store = store as? any JobActivityStore else {
            throw StewardError.invalidArgument(field: "store", message: "store: this store keeps no job activity")
        }
        return store
    }
}
