import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardSQLite
import Testing

/// The scheduler's policies on an injectable clock (store behaviour itself is in the conformance
/// suite).
@Suite("Scheduler")
struct SchedulerTests {
    let store: SQLiteJobStore
    let clock = ManualClock(ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")!)
    var t0: Date { ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")! }

    init() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try SQLiteJobStore(path: dir.appendingPathComponent("s.db").path)
        try await store.migrate()
    }

    func scheduler(_ schedules: [Schedule], owner: String = "s1") throws -> Scheduler {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try Scheduler(
            store: store, schedules: schedules, configuration: Scheduler.Configuration(owner: owner), clock: clock, logger: logger)
    }

    func jobs() async throws -> [JobRecord] {
        try await store.jobs(JobFilter(queue: "q", limit: 10_000), now: clock.now()).sorted { $0.id < $1.id }
    }

    static let job = ScheduledJob(name: "tick", queue: "q")

    @Test("a cron schedule fires each instant once, with the instant in its metadata and unique key")
    func firesOnTime() async throws {
        let s = try scheduler([try .cron("every-minute", "* * * * *", job: Self.job)])
        try await s.register()
        #expect(try await s.runPass().enqueued == 0)
        for minute in 1...3 {
            clock.set(t0.addingTimeInterval(Double(minute * 60) + 0.5))
            #expect(try await s.runPass().enqueued == 1)
            #expect(try await s.runPass().enqueued == 0)
        }
        let fired = try await jobs()
        #expect(fired.map { $0.metadata["fire_at"] } == [
            "2026-01-01T00:01:00+00:00", "2026-01-01T00:02:00+00:00", "2026-01-01T00:03:00+00:00",
        ])
        #expect(fired.first?.uniqueKey == Scheduler.uniqueKey("every-minute", t0.addingTimeInterval(60)))
        #expect(fired.allSatisfy { $0.metadata["schedule"] == "every-minute" })
    }

    @Test("a pass reports the next fire: read within its sleep, or set by its own firing")
    func nextFireReported() async throws {
        let s = try scheduler([try .cron("sec", "* * * * * *", job: Self.job), try .cron("odd", "3/10 * * * * *", job: Self.job)])
        try await s.register()
        clock.set(t0.addingTimeInterval(1.5))
        let fired = try await s.runPass()
        #expect(fired.enqueued == 1)
        #expect(fired.nextFireAt == t0.addingTimeInterval(2), "set by the firing itself")
        let sec = try await ScheduleAdmin(store: store, clock: clock).get("sec")
        try await ScheduleAdmin(store: store, clock: clock).pause(sec.name)
        clock.set(t0.addingTimeInterval(2.5))
        #expect(try await s.runPass().nextFireAt == t0.addingTimeInterval(3), "read from the store")
        // Much later: "odd" fires its missed instants; its next fire (hh:mm:03, 13, … → +1003) is reported.
        clock.set(t0.addingTimeInterval(1_000.5))
        #expect(try await s.runPass().nextFireAt == t0.addingTimeInterval(1_003))
        clock.set(t0.addingTimeInterval(1_001))
        #expect(try await s.runPass().nextFireAt == nil, "nothing due within the next second")
    }

    @Test("misfires: coalesce runs one job for all missed, skip none, catchUp the latest N; on-time ones run")
    func misfirePolicies() async throws {
        let s = try scheduler([
            try .cron("coalesce", "* * * * *", job: ScheduledJob(name: "c", queue: "q"), misfire: .coalesce),
            try .cron("skip", "* * * * *", job: ScheduledJob(name: "s", queue: "q"), misfire: .skip),
            try .cron("catchup", "* * * * *", job: ScheduledJob(name: "u", queue: "q"), misfire: .catchUp(max: 3)),
        ])
        try await s.register()
        // Down for ten minutes: instants 00:01 … 00:10 are due at 00:10:30; only 00:10 is within grace.
        clock.set(t0.addingTimeInterval(630))
        let report = try await s.runPass()
        let fired = try await jobs()
        func instants(_ name: String) -> [String] { fired.filter { $0.name == name }.compactMap { $0.metadata["fire_at"] } }
        #expect(instants("c") == ["2026-01-01T00:09:00+00:00", "2026-01-01T00:10:00+00:00"])
        #expect(instants("s") == ["2026-01-01T00:10:00+00:00"])
        #expect(instants("u") == [
            "2026-01-01T00:07:00+00:00", "2026-01-01T00:08:00+00:00", "2026-01-01T00:09:00+00:00",
            "2026-01-01T00:10:00+00:00",
        ])
        #expect(report.missed == 8 + 9 + 6)
        let stored = Dictionary(uniqueKeysWithValues: try await store.schedules().map { ($0.name, $0) })
        #expect(stored["skip"]?.missedRuns == 9)
        #expect(stored.values.allSatisfy { $0.nextFireAt == t0.addingTimeInterval(660) })
        // A late run starts now; an on-time run at its instant.
        #expect(fired.filter { $0.name == "c" }.first?.runAt == clock.now())
    }

    @Test("exclusive: no fire while the previous run is queued or running; the skip is recorded")
    func exclusive() async throws {
        let s = try scheduler([try .cron("x", "* * * * *", job: Self.job, exclusive: true)])
        try await s.register()
        clock.set(t0.addingTimeInterval(60))
        #expect(try await s.runPass().enqueued == 1)
        clock.set(t0.addingTimeInterval(120))
        let skipped = try await s.runPass()
        #expect(skipped.enqueued == 0)
        #expect(skipped.skippedExclusive == 1)
        #expect(try await store.schedules().first?.skippedRuns == 1)
        let claimed = try await store.claim(
            queue: "q", names: nil, limit: 10, owner: "w", leaseUntil: clock.now().addingTimeInterval(30), now: clock.now())
        try await store.complete(
            claimed.map { JobOutcome(id: $0.record.id, owner: "w", startedAt: clock.now(), kind: .succeeded(result: nil)) },
            now: clock.now())
        clock.set(t0.addingTimeInterval(180))
        #expect(try await s.runPass().enqueued == 1)
    }

    @Test("pause and resume at run time: paused instants are not run; resume continues from now")
    func pauseResume() async throws {
        let s = try scheduler([try .cron("p", "* * * * *", job: Self.job)])
        try await s.register()
        let admin = ScheduleAdmin(store: store, clock: clock)
        try await admin.pause("p")
        clock.set(t0.addingTimeInterval(300))
        #expect(try await s.runPass().enqueued == 0)
        try await admin.resume("p")
        #expect(try await admin.get("p").nextFireAt == t0.addingTimeInterval(360))
        #expect(try await s.runPass().enqueued == 0)
        clock.set(t0.addingTimeInterval(360))
        #expect(try await s.runPass().enqueued == 1)
        // Trigger now: one job outside the timetable, next fire unchanged.
        let triggered = try await admin.trigger("p")
        #expect(!triggered.duplicate)
        #expect(try await admin.get("p").nextFireAt == t0.addingTimeInterval(420))
        #expect(try await jobs().count == 2)
        await #expect(throws: StewardError.scheduleNotFound("nope")) { try await admin.pause("nope") }
    }

    @Test("update the expression at run time; a changed definition in code replaces it on start")
    func updates() async throws {
        let s = try scheduler([try .cron("u", "0 * * * *", job: Self.job)])
        try await s.register()
        #expect(try await ScheduleAdmin(store: store, clock: clock).get("u").nextFireAt == t0.addingTimeInterval(3600))
        try await ScheduleAdmin(store: store, clock: clock).update("u", trigger: .cron(expression: "*/5 * * * *", timeZone: "UTC"))
        #expect(try await ScheduleAdmin(store: store, clock: clock).get("u").nextFireAt == t0.addingTimeInterval(300))
        await #expect(throws: StewardError.self) {
            try await ScheduleAdmin(store: store, clock: clock).update("u", trigger: .cron(expression: "61 * * * *", timeZone: "UTC"))
        }
        // Same definition registered again: nothing written. A changed one: updated, pause kept.
        try await ScheduleAdmin(store: store, clock: clock).pause("u")
        let again = try scheduler([try .cron("u", "*/5 * * * *", job: Self.job)])
        #expect(try await again.register().isEmpty)
        let changed = try scheduler([try .cron("u", "*/10 * * * *", job: Self.job)])
        #expect(try await changed.register() == ["u"])
        let u = try await ScheduleAdmin(store: store, clock: clock).get("u")
        #expect(u.paused)
        #expect(u.nextFireAt == t0.addingTimeInterval(600))
    }

    @Test("interval with jitter: runs start within [instant, instant + jitter]; the anchor sets the phase")
    func intervalJitter() async throws {
        let anchor = t0.addingTimeInterval(7)
        let s = try scheduler([try .every("j", .seconds(10), anchor: anchor, jitter: .seconds(4), job: Self.job)])
        try await s.register()
        for step in 1...40 {
            clock.set(anchor.addingTimeInterval(Double(step * 10)))
            _ = try await s.runPass()
        }
        let fired = try await jobs()
        #expect(fired.count == 41)  // the anchor itself, then every 10 s
        var delays: [Double] = []
        for j in fired {
            let fireAt = try #require(j.metadata["fire_at"])
            let nominal = try #require(ISO8601DateFormatter().date(from: fireAt))
            #expect(Int(nominal.timeIntervalSince(anchor)) % 10 == 0)
            delays.append(j.runAt.timeIntervalSince(nominal))
        }
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= 4 }, "\(delays)")
        #expect(Set(delays.map { Int($0) }).count >= 3, "jitter is not random: \(delays)")
    }

    @Test("a one-off fires once, then never again")
    func once() async throws {
        let s = try scheduler([try .once("o", at: t0.addingTimeInterval(30), job: Self.job)])
        try await s.register()
        clock.set(t0.addingTimeInterval(31))
        #expect(try await s.runPass().enqueued == 1)
        clock.set(t0.addingTimeInterval(3600))
        #expect(try await s.runPass().enqueued == 0)
        #expect(try await ScheduleAdmin(store: store, clock: clock).get("o").nextFireAt == nil)
    }

    @Test("only the lease holder fires; when it stops, another takes over without firing an instant twice")
    func leader() async throws {
        let a = try scheduler([try .cron("l", "* * * * *", job: Self.job)], owner: "a")
        let b = try scheduler([try .cron("l", "* * * * *", job: Self.job)], owner: "b")
        try await a.register()
        try await b.register()
        clock.set(t0.addingTimeInterval(60))
        #expect(try await a.runPass().leader)
        #expect(try await !b.runPass().leader)
        // a dies; its lease (10 s) runs out.
        clock.set(t0.addingTimeInterval(75))
        let report = try await b.runPass()
        #expect(report.leader)
        #expect(report.enqueued == 0)
        clock.set(t0.addingTimeInterval(120))
        #expect(try await b.runPass().enqueued == 1)
        #expect(try await jobs().count == 2)
    }

    @Test("a leader that stops gracefully hands over at once: the next scheduler is leader without waiting for the TTL")
    func gracefulHandOver() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let a = try scheduler([try .cron("g", "* * * * *", job: Self.job)], owner: "a")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: a)], logger: logger))
        let running = Task { try await group.run() }
        // a takes the lease in its first pass, right after registering its schedule.
        let registered = try await eventually { try await store.schedules().count == 1 }
        #expect(registered)
        try await Task.sleep(for: .milliseconds(300))
        let b = try scheduler([], owner: "b")
        #expect(try await !b.runPass().leader, "a should hold the lease while it runs")
        await group.triggerGracefulShutdown()
        try await running.value
        // The manual clock has not moved: only a released lease lets b in.
        #expect(try await b.runPass().leader, "the lease was not given up on shutdown")
    }

    @Test("invalid definitions are refused at registration, naming the schedule and field")
    func invalid() throws {
        #expect(throws: StewardError.invalidArgument(field: "interval", message: "schedule 'bad' interval: must be at least 1s, got 0.5s")) {
            _ = try Schedule.every("bad", .milliseconds(500), job: Self.job)
        }
        #expect(throws: StewardError.invalidArgument(field: "timeZone", message: "schedule 'z' timeZone: unknown time zone 'Mars/Olympus'")) {
            _ = try Schedule.cron("z", "* * * * *", timeZone: "Mars/Olympus", job: Self.job)
        }
        #expect {
            _ = try Schedule.cron("c", "* * *", job: Self.job)
        } throws: { "\($0)".contains("schedule 'c' cron: cron expression '* * *': expected 5 fields") }
        #expect(throws: StewardError.invalidArgument(field: "schedules", message: "schedule 'dup': registered twice")) {
            _ = try self.scheduler([try .cron("dup", "* * * * *", job: Self.job), try .cron("dup", "@daily", job: Self.job)])
        }
    }
}
