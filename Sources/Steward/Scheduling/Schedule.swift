import Foundation

/// A named, persisted rule that enqueues a job over time: cron (in a time zone), a fixed
/// interval, or once. Register schedules with a ``Scheduler``; their state lives in the store.
public struct Schedule: Sendable, Codable, Equatable {
    /// When a schedule fires.
    public enum Trigger: Sendable, Codable, Equatable {
        /// A cron expression read in an IANA time zone.
        case cron(expression: String, timeZone: String)
        /// Every `seconds`, counted from `anchor` (default: when the schedule was first stored);
        /// each run starts up to `jitter` seconds late, at random, to spread load.
        case interval(seconds: Double, anchor: Date?, jitter: Double)
        /// Once, at an instant.
        case once(at: Date)
    }

    /// What happens to fire instants missed while no scheduler ran (or it fell behind).
    public enum MisfirePolicy: Sendable, Codable, Equatable {
        /// One run stands for all missed instants.
        case coalesce
        /// Missed instants are dropped; the schedule fires again at its next instant.
        case skip
        /// Runs the most recent `max` missed instants, each as its own job; older ones are dropped.
        case catchUp(max: Int)
    }

    /// Unique name (the handle for pause, resume and trigger).
    public var name: String
    /// When it fires.
    public var trigger: Trigger
    /// The job each fire enqueues.
    public var job: ScheduledJob
    /// How missed instants are handled.
    public var misfire: MisfirePolicy
    /// A fire instant is missed once it is this late (seconds); later ones follow ``misfire``.
    public var misfireGraceSeconds: Double
    /// When set, an instant is skipped (and counted) while the previous run is still queued or
    /// running.
    public var exclusive: Bool

    /// Creates a schedule; see ``cron(_:_:timeZone:job:misfire:misfireGrace:exclusive:)`` and
    /// friends for the checked constructors.
    public init(
        name: String, trigger: Trigger, job: ScheduledJob, misfire: MisfirePolicy = .coalesce,
        misfireGrace: Duration = .seconds(60), exclusive: Bool = false
    ) {
        self.name = name
        self.trigger = trigger
        self.job = job
        self.misfire = misfire
        self.misfireGraceSeconds = misfireGrace.seconds
        self.exclusive = exclusive
    }

    /// A cron schedule; throws ``CronError`` or a time-zone error now rather than at run time.
    public static func cron(
        _ name: String, _ expression: String, timeZone: String = "UTC", job: ScheduledJob,
        misfire: MisfirePolicy = .coalesce, misfireGrace: Duration = .seconds(60), exclusive: Bool = false
    ) throws -> Schedule {
        let s = Schedule(
            name: name, trigger: .cron(expression: expression, timeZone: timeZone), job: job, misfire: misfire,
            misfireGrace: misfireGrace, exclusive: exclusive)
        try s.validate()
        return s
    }

    /// An interval schedule.
    public static func every(
        _ name: String, _ interval: Duration, anchor: Date? = nil, jitter: Duration = .zero, job: ScheduledJob,
        misfire: MisfirePolicy = .coalesce, misfireGrace: Duration = .seconds(60), exclusive: Bool = false
    ) throws -> Schedule {
        let s = Schedule(
            name: name, trigger: .interval(seconds: interval.seconds, anchor: anchor, jitter: jitter.seconds), job: job,
            misfire: misfire, misfireGrace: misfireGrace, exclusive: exclusive)
        try s.validate()
        return s
    }

    /// A one-off schedule.
    public static func once(
        _ name: String, at instant: Date, job: ScheduledJob, misfire: MisfirePolicy = .coalesce,
        misfireGrace: Duration = .seconds(60)
    ) throws -> Schedule {
        let s = Schedule(name: name, trigger: .once(at: instant), job: job, misfire: misfire, misfireGrace: misfireGrace)
        try s.validate()
        return s
    }

    /// Checks every field; the error names the schedule, the field and the value.
    public func validate() throws {
        func bad(_ field: String, _ why: String) -> StewardError {
            .invalidArgument(field: field, message: "schedule '\(name)' \(field): \(why)")
        }
        if name.isEmpty { throw StewardError.invalidArgument(field: "schedule.name", message: "schedule name: must not be empty") }
        switch trigger {
        case .cron(let expression, let zone):
            do { _ = try CronExpression(expression) } catch { throw bad("cron", "\(error)") }
            if TimeZone(identifier: zone) == nil { throw bad("timeZone", "unknown time zone '\(zone)'") }
        case .interval(let seconds, _, let jitter):
            if !(seconds >= 1) { throw bad("interval", "must be at least 1s, got \(seconds)s") }
            if !(jitter >= 0) || jitter >= seconds {
                throw bad("jitter", "must be at least 0 and less than the interval, got \(jitter)s")
            }
        case .once:
            break
        }
        if case .catchUp(let max) = misfire, max < 1 { throw bad("misfire", "catchUp(max:) needs max >= 1, got \(max)") }
        if !(misfireGraceSeconds >= 0) { throw bad("misfireGrace", "must not be negative") }
        try job.validate(schedule: name)
    }

    /// The first nominal fire instant strictly after `date`; `nil` when it will not fire again.
    /// `createdAt` anchors an interval that has no anchor of its own.
    public func nextFire(after date: Date, createdAt: Date) -> Date? {
        switch trigger {
        case .cron(let expression, let zone):
            guard let cron = try? CronExpression(expression), let tz = TimeZone(identifier: zone) else { return nil }
            return cron.nextFire(after: date, in: tz)
        case .interval(let seconds, let anchor, _):
            let a = (anchor ?? createdAt).timeIntervalSince1970
            let t = date.timeIntervalSince1970
            if t < a { return Date(timeIntervalSince1970: a) }
            let n = ((t - a) / seconds).rounded(.down) + 1
            return Date(timeIntervalSince1970: a + n * seconds)
        case .once(let at):
            return at > date ? at : nil
        }
    }

    /// Random delay added to a run's start (intervals with jitter only).
    func jitter() -> Double {
        if case .interval(_, _, let jitter) = trigger, jitter > 0 { return Double.random(in: 0...jitter) }
        return 0
    }
}

/// The job a schedule enqueues at each fire.
public struct ScheduledJob: Sendable, Codable, Equatable {
    /// Registered job name.
    public var name: String
    /// JSON parameters.
    public var payload: String
    /// Target queue.
    public var queue: String
    /// Higher runs first.
    public var priority: Int
    /// Per-attempt timeout in seconds.
    public var timeoutSeconds: Double?
    /// Retry policy; `nil` uses the queue's.
    public var retryPolicy: RetryPolicy?
    /// Free-form metadata; the scheduler adds `schedule` and `fire_at`.
    public var metadata: [String: String]

    /// Creates a scheduled job from raw JSON parameters.
    public init(
        name: String, payload: String = "{}", queue: String = "default", priority: Int = 0, timeout: Duration? = nil,
        retryPolicy: RetryPolicy? = nil, metadata: [String: String] = [:]
    ) {
        self.name = name
        self.payload = payload
        self.queue = queue
        self.priority = priority
        self.timeoutSeconds = timeout?.seconds
        self.retryPolicy = retryPolicy
        self.metadata = metadata
    }

    /// Creates a scheduled job from a typed job's parameters.
    public init<J: JobParameters>(
        _ job: J, queue: String = "default", priority: Int = 0, timeout: Duration? = nil, retryPolicy: RetryPolicy? = nil
    ) throws {
        self.init(
            name: J.name, payload: try JSONCoding.encode(job), queue: queue, priority: priority, timeout: timeout,
            retryPolicy: retryPolicy)
    }

    func validate(schedule: String) throws {
        do {
            try newJob(runAt: nil, metadata: [:], uniqueKey: nil).validate()
        } catch {
            throw StewardError.invalidArgument(field: "job", message: "schedule '\(schedule)' job: \(error)")
        }
    }

    /// The job to enqueue for one fire.
    func newJob(runAt: Date?, metadata extra: [String: String], uniqueKey: String?) -> NewJob {
        NewJob(
            queue: queue, name: name, payload: payload, priority: priority, runAt: runAt,
            timeout: timeoutSeconds.map { .seconds(double: $0) }, retryPolicy: retryPolicy,
            metadata: metadata.merging(extra) { $1 }, uniqueKey: uniqueKey)
    }
}
