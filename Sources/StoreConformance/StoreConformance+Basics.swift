import Foundation
import Steward
import Testing

extension StoreConformance {
    static let basics: [ConformanceCase] = [
        ConformanceCase("enqueue keeps every field and reads it back") { store, clock in
            let policy = RetryPolicy.linear(maxAttempts: 7, initial: .seconds(2), step: .seconds(3))
            let job = NewJob(
                queue: "mail", name: "send", payload: #"{"to":"a@b.c"}"#, priority: 3, timeout: .seconds(9),
                retryPolicy: policy, metadata: ["tenant": "t1"], uniqueKey: "k-1")
            let results = try await store.enqueue([job], now: clock.now())
            #expect(results.count == 1)
            #expect(results[0].duplicate == false)
            #expect(results[0].state == .available)
            let record = try #require(try await store.job(results[0].id, now: clock.now()))
            #expect(record.queue == "mail")
            #expect(record.name == "send")
            #expect(record.payload == #"{"to":"a@b.c"}"#)
            #expect(record.priority == 3)
            #expect(record.timeout == .seconds(9))
            #expect(record.retryPolicy == policy)
            #expect(record.maxAttempts == 7)
            #expect(record.metadata == ["tenant": "t1"])
            #expect(record.uniqueKey == "k-1")
            #expect(record.attempt == 0)
            #expect(record.state == .available)
            #expect(record.createdAt == clock.now())
            #expect(record.runAt == clock.now())
            #expect(try await store.job(JobID(999_999), now: clock.now()) == nil)
        },
        ConformanceCase("claims by priority, then run-at, then id") { store, clock in
            let t0 = clock.now()
            let ids = try await enqueue(
                store, clock,
                [
                    NewJob(name: "low-late", priority: 0, runAt: t0.addingTimeInterval(-1)),
                    NewJob(name: "high", priority: 5, runAt: t0),
                    NewJob(name: "low-early", priority: 0, runAt: t0.addingTimeInterval(-5)),
                    NewJob(name: "low-early-2", priority: 0, runAt: t0.addingTimeInterval(-5)),
                    NewJob(name: "urgent", priority: 9, runAt: t0.addingTimeInterval(-0.5)),
                ])
            let claimed = try await claim(store, clock, limit: 10)
            #expect(claimed.map(\.record.name) == ["urgent", "high", "low-early", "low-early-2", "low-late"])
            #expect(claimed.map(\.record.id) == [ids[4], ids[1], ids[2], ids[3], ids[0]])
            for job in claimed {
                #expect(job.record.state == .running)
                #expect(job.record.attempt == 1)
                #expect(job.record.leaseOwner == owner)
            }
        },
        ConformanceCase("claim takes at most the limit and never hands a job out twice") { store, clock in
            _ = try await enqueue(store, clock, (0..<25).map { NewJob(name: "j\($0)") })
            let a = try await claim(store, clock, limit: 10, owner: owner)
            let b = try await claim(store, clock, limit: 10, owner: other)
            let c = try await claim(store, clock, limit: 10, owner: other)
            #expect(a.count == 10)
            #expect(b.count == 10)
            #expect(c.count == 5)
            let all = (a + b + c).map(\.record.id)
            #expect(Set(all).count == 25)
            #expect(try await claim(store, clock).isEmpty)
            #expect(try await store.claim(queue: "default", names: nil, limit: 0, owner: owner, leaseUntil: clock.now(), now: clock.now()).isEmpty)
        },
        ConformanceCase("claim only takes jobs of the asked queue") { store, clock in
            _ = try await enqueue(store, clock, [NewJob(queue: "a", name: "x"), NewJob(queue: "b", name: "y")])
            let claimed = try await claim(store, clock, queue: "b")
            #expect(claimed.map(\.record.name) == ["y"])
        },
        ConformanceCase("a claim with names takes only those names; the others stay available and counted") { store, clock in
            let ids = try await enqueue(
                store, clock,
                [
                    NewJob(name: "billing.charge-card", priority: 9), NewJob(name: "steward.echo"),
                    NewJob(name: "steward.noop"), NewJob(name: "billing.charge-card"),
                ])
            let claimed = try await claim(store, clock, names: ["steward.echo", "steward.noop", "other"])
            #expect(claimed.map(\.record.id) == [ids[1], ids[2]])
            #expect(try await claim(store, clock, names: []).isEmpty)
            #expect(try await claim(store, clock, names: ["steward.echo"]).isEmpty)
            #expect(try await state(store, clock, ids[0]) == .available)
            #expect(try await state(store, clock, ids[3]) == .available)
            clock.advance(by: .seconds(7))
            let stats = try await store.queueStats("default", now: clock.now())
            #expect(stats.counts["available"] == 2)
            #expect(stats.oldestWaitingAgeSeconds == 7)
            let rated = try await store.claim(
                queue: "default", names: ["billing.charge-card"], limit: 5, owner: owner,
                leaseUntil: clock.now().addingTimeInterval(lease), now: clock.now(),
                sharedRate: RateLimit(perSecond: 100, burst: 100))
            #expect(rated.jobs.map(\.record.id) == [ids[0], ids[3]])
        },
        ConformanceCase("an idempotency key answers with its job whatever its state until it expires; another request under it is refused") { store, clock in
            let key = IdempotencyKey(key: "req-1", fingerprint: "f1", expiresAt: clock.now().addingTimeInterval(3600))
            guard case .created(let first) = try await store.enqueue(NewJob(name: "charge"), idempotency: key, now: clock.now()) else {
                Issue.record("a new key did not enqueue")
                return
            }
            let claimed = try await claim(store, clock)
            try await store.complete([outcome(claimed[0], .succeeded(result: nil))], now: clock.now())
            clock.advance(by: .seconds(60))
            #expect(try await store.enqueue(NewJob(name: "charge"), idempotency: key, now: clock.now()) == .replayed(first.id))
            var other = key
            other.fingerprint = "f2"
            #expect(try await store.enqueue(NewJob(name: "refund"), idempotency: other, now: clock.now()) == .conflict(first.id))
            #expect(try await store.jobs(JobFilter(limit: 10), now: clock.now()).count == 1, "a replay or a conflict enqueued a job")
            // Past its expiry the key is free again, and purging removes expired keys.
            clock.advance(by: .seconds(3600))
            var renewed = other
            renewed.expiresAt = clock.now().addingTimeInterval(3600)
            guard case .created(let second) = try await store.enqueue(NewJob(name: "refund"), idempotency: renewed, now: clock.now()) else {
                Issue.record("an expired key was not reused")
                return
            }
            #expect(second.id != first.id)
            #expect(try await store.enqueue(NewJob(name: "refund"), idempotency: renewed, now: clock.now()) == .replayed(second.id))
        },
        ConformanceCase("a delayed job is scheduled, then claimable once its run-at passes") { store, clock in
            let runAt = clock.now().addingTimeInterval(60)
            let result = try await store.enqueue([NewJob(name: "later", runAt: runAt)], now: clock.now())[0]
            #expect(result.state == .scheduled)
            #expect(try await claim(store, clock).isEmpty)
            #expect(try await store.nextRunAt(queue: "default", after: clock.now()) == runAt)
            clock.advance(by: .seconds(59))
            #expect(try await claim(store, clock).isEmpty)
            clock.advance(by: .seconds(1))
            #expect(try await state(store, clock, result.id) == .available)
            #expect(try await store.nextRunAt(queue: "default", after: clock.now()) == nil)
            #expect(try await claim(store, clock).map(\.record.id) == [result.id])
            // A claim that comes up short also says when the next scheduled job is due; a full one does not.
            let later = clock.now().addingTimeInterval(120)
            _ = try await store.enqueue([NewJob(name: "later", runAt: later), NewJob(name: "now"), NewJob(name: "now")], now: clock.now())
            let lease = clock.now().addingTimeInterval(30)
            let full = try await store.claimWithNextRunAt(queue: "default", names: nil, limit: 1, owner: "w", leaseUntil: lease, now: clock.now())
            #expect(full.jobs.count == 1 && full.nextRunAt == nil)
            let short = try await store.claimWithNextRunAt(queue: "default", names: nil, limit: 5, owner: "w", leaseUntil: lease, now: clock.now())
            #expect(short.jobs.count == 1 && short.nextRunAt == later)
            #expect(full.jobs[0].record.id != short.jobs[0].record.id && short.jobs[0].record.state == .running)
            let empty = try await store.claimWithNextRunAt(queue: "default", names: nil, limit: 5, owner: "w", leaseUntil: lease, now: clock.now())
            #expect(empty.jobs.isEmpty && empty.nextRunAt == later)
        },
        ConformanceCase("a unique key returns the live job, also within one batch, and frees up when it finishes") {
            store, clock in
            let first = try await store.enqueue([NewJob(name: "u", uniqueKey: "order-1")], now: clock.now())[0]
            let again = try await store.enqueue(
                [NewJob(name: "u", uniqueKey: "order-1"), NewJob(name: "v", uniqueKey: "order-2"), NewJob(name: "v", uniqueKey: "order-2")],
                now: clock.now())
            #expect(again[0].id == first.id)
            #expect(again[0].duplicate)
            #expect(!again[1].duplicate)
            #expect(again[2].id == again[1].id)
            #expect(again[2].duplicate)
            let claimed = try await claim(store, clock, limit: 1)
            #expect(claimed.map(\.record.id) == [first.id])
            // Still unique while running.
            #expect(try await store.enqueue([NewJob(name: "u", uniqueKey: "order-1")], now: clock.now())[0].id == first.id)
            try await store.complete([outcome(claimed[0], .succeeded(result: nil))], now: clock.now())
            let fresh = try await store.enqueue([NewJob(name: "u", uniqueKey: "order-1")], now: clock.now())[0]
            #expect(!fresh.duplicate)
            #expect(fresh.id != first.id)
        },
        ConformanceCase("a batch mixing keyed and plain jobs answers in order, flagging only true duplicates") {
            store, clock in
            let existing = try await store.enqueue([NewJob(name: "k", uniqueKey: "a")], now: clock.now())[0]
            let batch = [
                NewJob(name: "p1"), NewJob(name: "k", uniqueKey: "a"),
                NewJob(name: "p2", runAt: clock.now().addingTimeInterval(60)), NewJob(name: "k2", uniqueKey: "b"),
                NewJob(name: "p3"),
            ]
            let results = try await store.enqueue(batch, now: clock.now())
            #expect(results.map(\.duplicate) == [false, true, false, false, false])
            #expect(results[1].id == existing.id)
            #expect(results.map(\.state) == [.available, .available, .scheduled, .available, .available])
            #expect(Set(results.map(\.id)).count == 5)
            var names: [String] = []
            for result in results { names.append(try await store.job(result.id, now: clock.now())?.name ?? "?") }
            #expect(names == ["p1", "k", "p2", "k2", "p3"])
        },
        ConformanceCase("success keeps the result and frees the job from the waiting set") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(name: "r")])[0]
            let job = try #require(try await claim(store, clock).first)
            clock.advance(by: .seconds(2))
            let applied = try await store.complete([outcome(job, .succeeded(result: #"{"n":42}"#))], now: clock.now())
            #expect(applied == [id])
            let record = try #require(try await store.job(id, now: clock.now()))
            #expect(record.state == .succeeded)
            #expect(record.result == #"{"n":42}"#)
            #expect(record.finishedAt == clock.now())
            #expect(record.attempt == 1)
            let history = try await store.history(id)
            #expect(history.map(\.outcome) == ["succeeded"])
            #expect(history.first?.worker == owner)
        },
        ConformanceCase("batch operations: 500 enqueued in one call, claimed and completed in batches") { store, clock in
            let results = try await store.enqueue((0..<500).map { NewJob(name: "b", payload: #"{"i":\#($0)}"#) }, now: clock.now())
            #expect(results.count == 500)
            #expect(Set(results.map(\.id)).count == 500)
            var done = Set<JobID>()
            while true {
                let batch = try await claim(store, clock, limit: 128)
                if batch.isEmpty { break }
                let outcomes = batch.enumerated().map { i, job in
                    outcome(job, .succeeded(result: i.isMultiple(of: 2) ? nil : #"{"ok":true}"#))
                }
                let applied = try await store.complete(outcomes, now: clock.now())
                #expect(applied.count == batch.count)
                done.formUnion(applied)
            }
            #expect(done == Set(results.map(\.id)))
            let stats = try await store.queueStats("default", now: clock.now())
            #expect(stats.counts["succeeded"] == 500)
            #expect(stats.counts["available"] == 0)
        },
        ConformanceCase("wake-ups name the queue that got jobs") { store, clock in
            let stream = store.wakeups()
            _ = try await enqueue(store, clock, [NewJob(queue: "wake-me", name: "w")])
            let seen = await waitForWakeup(stream, queue: "wake-me", timeout: .seconds(5))
            #expect(seen, "no wake-up for queue 'wake-me' within 5 s")
        },
    ]
}
