import Foundation
import Steward
import Testing

extension StoreConformance {
    static func record(_ name: String, _ clock: ManualClock, next: Date?, exclusive: Bool = false) throws -> ScheduleRecord {
        var schedule = try Schedule.every(name, .seconds(60), job: ScheduledJob(name: "tick", queue: "sched"))
        schedule.exclusive = exclusive
        return ScheduleRecord(schedule: schedule, nextFireAt: next, createdAt: clock.now(), updatedAt: clock.now())
    }

    static func fire(_ name: String, expected: Date?, next: Date?, at instant: Date, exclusive: Bool = false) -> ScheduleFire {
        ScheduleFire(
            name: name, expectedNextFireAt: expected, nextFireAt: next,
            jobs: [NewJob(queue: "sched", name: "tick", uniqueKey: Scheduler.uniqueKey(name, instant))], firedAt: instant,
            exclusive: exclusive)
    }

    static let schedules: [ConformanceCase] = [
        ConformanceCase("schedules are saved, listed and found due; a re-save keeps pause state and counters") { store, clock in
            let t0 = clock.now()
            let soon = t0.addingTimeInterval(10)
            try await store.saveSchedules([try record("b", clock, next: soon), try record("a", clock, next: t0.addingTimeInterval(20))])
            let listed = try await store.schedules()
            #expect(listed.map(\.name) == ["a", "b"])
            #expect(listed[1].nextFireAt == soon)
            #expect(listed[1].schedule == (try record("b", clock, next: soon)).schedule)
            #expect(try await store.dueSchedules(now: t0, limit: 10).isEmpty)
            #expect(try await store.dueSchedules(now: t0.addingTimeInterval(15), limit: 10).map(\.name) == ["b"])
            #expect(try await store.dueSchedules(now: t0.addingTimeInterval(25), limit: 10).map(\.name) == ["b", "a"])
            #expect(try await store.dueSchedules(now: t0.addingTimeInterval(25), limit: 1).map(\.name) == ["b"])
            try await store.setSchedulePaused("b", paused: true, nextFireAt: soon)
            #expect(try await store.dueSchedules(now: t0.addingTimeInterval(25), limit: 10).map(\.name) == ["a"])
            var changed = try record("b", clock, next: t0.addingTimeInterval(99))
            changed.schedule.job.priority = 7
            try await store.saveSchedules([changed])
            let b = try #require(try await store.schedules().first { $0.name == "b" })
            #expect(b.paused)
            #expect(b.schedule.job.priority == 7)
            #expect(b.nextFireAt == t0.addingTimeInterval(99))
            await #expect(throws: StewardError.scheduleNotFound("nope")) {
                try await store.setSchedulePaused("nope", paused: true, nextFireAt: nil)
            }
            try await store.deleteSchedule("a")
            #expect(try await store.schedules().map(\.name) == ["b"])
            await #expect(throws: StewardError.scheduleNotFound("a")) { try await store.deleteSchedule("a") }
        },
        ConformanceCase("a firing enqueues and advances only from the expected next fire; a stale one changes nothing") {
            store, clock in
            let t1 = clock.now().addingTimeInterval(60)
            let t2 = t1.addingTimeInterval(60)
            try await store.saveSchedules([try record("s", clock, next: t1)])
            let results = try await store.recordScheduleFires([fire("s", expected: t1, next: t2, at: t1)], now: t1)
            guard case .fired(let enqueued)? = results.first, let job = enqueued.first else {
                Issue.record("not fired: \(results)")
                return
            }
            #expect(!job.duplicate)
            let s = try #require(try await store.schedules().first)
            #expect(s.nextFireAt == t2)
            #expect(s.lastFireAt == t1)
            #expect(s.lastJobID == job.id)
            // A second scheduler with the old view: nothing happens.
            #expect(try await store.recordScheduleFires([fire("s", expected: t1, next: t2, at: t1)], now: t1) == [.stale])
            #expect(try await store.jobs(JobFilter(queue: "sched"), now: t1).count == 1)
            // Unknown and paused schedules are stale too.
            #expect(try await store.recordScheduleFires([fire("x", expected: t1, next: t2, at: t1)], now: t1) == [.stale])
            try await store.setSchedulePaused("s", paused: true, nextFireAt: t2)
            #expect(try await store.recordScheduleFires([fire("s", expected: t2, next: nil, at: t2)], now: t2) == [.stale])
            // A manual trigger ignores pause and the timetable, and leaves the next fire alone.
            let manual = try await store.recordScheduleFires([fire("s", expected: nil, next: nil, at: t2.addingTimeInterval(1))], now: t2)
            guard case .fired(let m)? = manual.first else {
                Issue.record("manual trigger did not fire: \(manual)")
                return
            }
            #expect(m.count == 1)
            #expect(try await store.schedules().first?.nextFireAt == t2)
        },
        ConformanceCase("an exclusive schedule skips while its last run is live, counts the skip, and advances") { store, clock in
            let t1 = clock.now().addingTimeInterval(60)
            let (t2, t3) = (t1.addingTimeInterval(60), t1.addingTimeInterval(120))
            try await store.saveSchedules([try record("e", clock, next: t1, exclusive: true)])
            _ = try await store.recordScheduleFires([fire("e", expected: t1, next: t2, at: t1, exclusive: true)], now: t1)
            let first = try #require(try await store.schedules().first?.lastJobID)
            let skipped = try await store.recordScheduleFires([fire("e", expected: t2, next: t3, at: t2, exclusive: true)], now: t2)
            #expect(skipped == [.skippedExclusive(running: first)])
            let s = try #require(try await store.schedules().first)
            #expect(s.skippedRuns == 1)
            #expect(s.nextFireAt == t3)
            #expect(try await store.jobs(JobFilter(queue: "sched"), now: t2).count == 1)
            // Once the run finished, the next instant fires.
            clock.set(t3)
            let claimed = try await claim(store, clock, queue: "sched")
            try await store.complete(claimed.map { outcome($0, .succeeded(result: nil)) }, now: t3)
            let fired = try await store.recordScheduleFires(
                [fire("e", expected: t3, next: t3.addingTimeInterval(60), at: t3, exclusive: true)], now: t3)
            guard case .fired(let jobs)? = fired.first else {
                Issue.record("not fired after the run finished: \(fired)")
                return
            }
            #expect(jobs.count == 1)
        },
        ConformanceCase("missed instants are counted; the unique key per instant stops a double enqueue") { store, clock in
            let t1 = clock.now().addingTimeInterval(60)
            try await store.saveSchedules([try record("m", clock, next: t1)])
            var f = fire("m", expected: t1, next: t1.addingTimeInterval(600), at: t1)
            f.missed = 4
            _ = try await store.recordScheduleFires([f], now: t1)
            #expect(try await store.schedules().first?.missedRuns == 4)
            // The same instant enqueued again (as a hand-over racing a manual path would) is a duplicate.
            let again = try await store.recordScheduleFires([fire("m", expected: nil, next: nil, at: t1)], now: t1)
            guard case .fired(let jobs)? = again.first else {
                Issue.record("\(again)")
                return
            }
            #expect(jobs.first?.duplicate == true)
        },
    ]
}
