import Foundation

/// Runtime control of stored schedules, from any process (the CLI uses it): no restart needed,
/// and the active scheduler notices within its `maxSleep`.
public struct ScheduleAdmin: Sendable {
    let store: any ScheduleStore
    let clock: any StewardClock

    /// Creates the control surface for `store`.
    public init(store: any ScheduleStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Every stored schedule, by name.
    public func list() async throws -> [ScheduleRecord] { try await store.schedules() }

    /// One schedule, or `StewardError.scheduleNotFound`.
    public func get(_ name: String) async throws -> ScheduleRecord {
        guard let r = try await store.schedules().first(where: { $0.name == name }) else {
            throw StewardError.scheduleNotFound(name)
        }
        return r
    }

    /// Stops firing until resumed.
    public func pause(_ name: String) async throws {
        let r = try await get(name)
        try await store.setSchedulePaused(name, paused: true, nextFireAt: r.nextFireAt)
    }

    /// Fires again from its next instant after now (instants passed while paused are not run).
    public func resume(_ name: String) async throws {
        let r = try await get(name)
        let next = r.schedule.nextFire(after: clock.now(), createdAt: r.createdAt)
        try await store.setSchedulePaused(name, paused: false, nextFireAt: next)
    }

    /// Enqueues the schedule's job now, outside its timetable (also when paused); the next
    /// regular fire is unchanged.
    public func trigger(_ name: String) async throws -> EnqueueResult {
        let r = try await get(name)
        let now = clock.now()
        let job = r.schedule.job.newJob(
            runAt: nil, metadata: ["schedule": name, "fire_at": now.iso8601(in: TimeZone(identifier: "UTC")!), "trigger": "manual"],
            uniqueKey: Scheduler.uniqueKey(name, now) + ":manual")
        let fire = ScheduleFire(name: name, expectedNextFireAt: nil, nextFireAt: nil, jobs: [job], firedAt: now)
        let results = try await store.recordScheduleFires([fire], now: now)
        guard case .fired(let enqueued)? = results.first, let result = enqueued.first else {
            throw StewardError.scheduleNotFound(name)
        }
        return result
    }

    /// Deletes the schedule; jobs it already enqueued stay. A process that registers it in code
    /// stores it again when it starts.
    public func remove(_ name: String) async throws {
        try await store.deleteSchedule(name)
    }

    /// Replaces when the schedule fires (a new expression, zone or interval); the next fire is
    /// computed from now.
    public func update(_ name: String, trigger: Schedule.Trigger) async throws {
        try await update(name) { _ in trigger }
    }

    /// Replaces when the schedule fires, as a surface spells it (exactly one of `cron` and
    /// `every`, see ``Schedule/Trigger/from(cron:timeZone:every:jitter:)``); a new cron expression
    /// without a zone keeps the schedule's current zone.
    public func update(_ name: String, cron: String?, timeZone: String?, every: Duration?, jitter: Duration?) async throws {
        try await update(name) { current in
            var zone = timeZone
            if cron != nil, zone == nil, case .cron(_, let currentZone) = current { zone = currentZone }
            return try Schedule.Trigger.from(cron: cron, timeZone: zone, every: every, jitter: jitter)
        }
    }

    private func update(_ name: String, _ trigger: (Schedule.Trigger) throws -> Schedule.Trigger) async throws {
        var r = try await get(name)
        r.schedule.trigger = try trigger(r.schedule.trigger)
        try r.schedule.validate()
        let now = clock.now()
        r.nextFireAt = r.schedule.firstFire(now: now, createdAt: r.createdAt)
        r.updatedAt = now
        try await store.saveSchedules([r])
    }
}
