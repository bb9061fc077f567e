import Foundation
import Steward
import Testing

extension StoreConformance {
    static let leases: [ConformanceCase] = [
        ConformanceCase("extending leases keeps only the jobs the owner still holds") { store, clock in
            _ = try await enqueue(store, clock, [NewJob(name: "a"), NewJob(name: "b")])
            let mine = try await claim(store, clock, limit: 1, owner: owner)
            let theirs = try await claim(store, clock, limit: 1, owner: other)
            let ids = (mine + theirs).map(\.record.id)
            let held = try await store.extendLeases(ids, owner: owner, until: clock.now().addingTimeInterval(120))
            #expect(held == [mine[0].record.id])
            let record = try #require(try await store.job(mine[0].record.id, now: clock.now()))
            #expect(record.leaseExpiresAt == clock.now().addingTimeInterval(120))
        },
        ConformanceCase("an expired lease returns the job with its attempt counted, after the default backoff; a live one is left alone") { store, clock in
            let ids = try await enqueue(store, clock, [NewJob(name: "lost"), NewJob(name: "alive")])
            let claimed = try await claim(store, clock, limit: 2)
            #expect(claimed.count == 2)
            clock.advance(by: .seconds(20))
            _ = try await store.extendLeases([ids[1]], owner: owner, until: clock.now().addingTimeInterval(30))
            clock.advance(by: .seconds(11))
            let report = try await store.rescueExpiredLeases(now: clock.now())
            #expect(report.requeued == [ids[0]])
            #expect(report.deadLettered.isEmpty)
            let lost = try #require(try await store.job(ids[0], now: clock.now()))
            // No policy of its own: the default's first backoff, 1 s ± 10 % jitter.
            #expect(lost.state == .scheduled)
            let backoff = lost.runAt.timeIntervalSince(clock.now())
            #expect(backoff >= 0.9 && backoff <= 1.1, "backoff \(backoff) s")
            #expect(lost.attempt == 1)
            #expect(lost.leaseOwner == nil)
            #expect(lost.lastError?.type == "LeaseExpired")
            #expect(try await state(store, clock, ids[1]) == .running)
            // The old owner's late completion does not overwrite the rescued job.
            let applied = try await store.complete([outcome(claimed.first { $0.record.id == ids[0] }!, .succeeded(result: nil))], now: clock.now())
            #expect(applied.isEmpty)
            #expect(try await state(store, clock, ids[0]) == .scheduled)
            #expect(try await claim(store, clock, owner: other).isEmpty, "claimed before its backoff")
            clock.advance(by: .seconds(2))
            #expect(try await state(store, clock, ids[0]) == .available)
            let again = try await claim(store, clock, owner: other)
            #expect(again.map(\.record.id) == [ids[0]])
            #expect(again[0].record.attempt == 2)
            #expect(try await store.history(ids[0]).map(\.outcome) == ["rescued"])
        },
        ConformanceCase("a rescued job backs off by its own retry policy, like a failed attempt") { store, clock in
            let policy = RetryPolicy.fixed(maxAttempts: 3, delay: .seconds(10))
            let id = try await enqueue(store, clock, [NewJob(name: "crashy", retryPolicy: policy)])[0]
            _ = try await claim(store, clock)
            clock.advance(by: .seconds(31))
            let report = try await store.rescueExpiredLeases(now: clock.now())
            #expect(report.requeued == [id])
            let record = try #require(try await store.job(id, now: clock.now()))
            #expect(record.state == .scheduled)
            #expect(record.runAt == clock.now().addingTimeInterval(10))
            #expect(record.lastError == JobErrorInfo(type: "LeaseExpired", message: "lease expired: the worker stopped heartbeating", attempt: 1))
            clock.advance(by: .seconds(9))
            #expect(try await claim(store, clock).isEmpty)
            clock.advance(by: .seconds(1))
            #expect(try await claim(store, clock).map(\.record.id) == [id])
        },
        ConformanceCase("an expired lease on the last attempt dead-letters the job") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(queue: "q", name: "once", retryPolicy: .noRetries)])[0]
            _ = try await claim(store, clock, queue: "q")
            clock.advance(by: .seconds(31))
            let report = try await store.rescueExpiredLeases(now: clock.now())
            #expect(report.deadLettered == [id])
            let record = try #require(try await store.job(id, now: clock.now()))
            #expect(record.state == .dead)
            #expect(record.queue == "q-dlq")
            #expect(record.originalQueue == "q")
            #expect(record.lastError?.type == "LeaseExpired")
        },
        ConformanceCase("outcomes from a worker that does not hold the lease are ignored") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(name: "guarded")])[0]
            let job = try #require(try await claim(store, clock).first)
            let kinds: [JobOutcome.Kind] = [
                .succeeded(result: nil), .succeeded(result: "1"), .retry(runAt: clock.now(), error: boom), .dead(error: boom),
                .cancelled(error: nil), .released,
            ]
            for kind in kinds {
                #expect(try await store.complete([outcome(job, kind, owner: other)], now: clock.now()).isEmpty)
            }
            #expect(try await state(store, clock, id) == .running)
            #expect(try await store.history(id).isEmpty)
        },
        ConformanceCase("a released job is available again and the attempt is not counted") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(name: "rel")])[0]
            let job = try #require(try await claim(store, clock).first)
            #expect(try await store.complete([outcome(job, .released)], now: clock.now()) == [id])
            let record = try #require(try await store.job(id, now: clock.now()))
            #expect(record.state == .available)
            #expect(record.attempt == 0)
            #expect(try await claim(store, clock).first?.record.attempt == 1)
        },
        ConformanceCase("a named lease has one holder until it expires or is released") { store, clock in
            #expect(try await store.acquireLease(name: "leader", owner: "a", ttl: .seconds(10), now: clock.now()))
            #expect(try await !store.acquireLease(name: "leader", owner: "b", ttl: .seconds(10), now: clock.now()))
            clock.advance(by: .seconds(5))
            #expect(try await store.acquireLease(name: "leader", owner: "a", ttl: .seconds(10), now: clock.now()))
            clock.advance(by: .seconds(9))
            #expect(try await !store.acquireLease(name: "leader", owner: "b", ttl: .seconds(10), now: clock.now()))
            clock.advance(by: .seconds(2))
            #expect(try await store.acquireLease(name: "leader", owner: "b", ttl: .seconds(10), now: clock.now()))
            try await store.releaseLease(name: "leader", owner: "a")  // not the holder: no effect
            #expect(try await !store.acquireLease(name: "leader", owner: "a", ttl: .seconds(10), now: clock.now()))
            try await store.releaseLease(name: "leader", owner: "b")
            #expect(try await store.acquireLease(name: "leader", owner: "a", ttl: .seconds(10), now: clock.now()))
            #expect(try await store.acquireLease(name: "other-duty", owner: "b", ttl: .seconds(10), now: clock.now()))
        },
        ConformanceCase("progress is stored for the lease holder only") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(name: "p")])[0]
            _ = try await claim(store, clock)
            let progress = JobProgress(step: 2, totalSteps: 4, percent: 50, message: "halfway")
            try await store.updateProgress(
                [ProgressUpdate(id: id, owner: other, progress: JobProgress(percent: 99))], now: clock.now())
            #expect(try await store.job(id, now: clock.now())?.progress == nil)
            try await store.updateProgress([ProgressUpdate(id: id, owner: owner, progress: progress)], now: clock.now())
            #expect(try await store.job(id, now: clock.now())?.progress == progress)
        },
    ]
}
