import Foundation
import Steward
import Testing

extension StoreConformance {
    static let control: [ConformanceCase] = [
        ConformanceCase("a paused queue hands out nothing until resumed") { store, clock in
            _ = try await enqueue(store, clock, [NewJob(queue: "p", name: "x"), NewJob(queue: "other", name: "y")])
            try await store.setPaused(true, queue: "p")
            #expect(try await claim(store, clock, queue: "p").isEmpty)
            #expect(try await claim(store, clock, queue: "other").count == 1)
            #expect(try await store.queueStats("p", now: clock.now()).paused)
            #expect(try await store.queues().first { $0.name == "p" }?.paused == true)
            try await store.setPaused(false, queue: "p")
            #expect(try await claim(store, clock, queue: "p").count == 1)
        },
        ConformanceCase("a global rate limit's bucket is shared by every claimer and only claimed jobs spend tokens") {
            store, clock in
            let rate = RateLimit.global(perSecond: 10, burst: 4)
            func claimShared(_ owner: String, limit: Int) async throws -> RateLimitedClaim {
                try await store.claim(
                    queue: "r", names: nil, limit: limit, owner: owner, leaseUntil: clock.now().addingTimeInterval(lease),
                    now: clock.now(), sharedRate: rate)
            }
            _ = try await enqueue(store, clock, (0..<20).map { _ in NewJob(queue: "r", name: "x") })
            // A new bucket starts full: the burst, across two owners.
            let first = try await claimShared(owner, limit: 3)
            #expect(first.jobs.count == 3)
            #expect(first.nextTokenIn == .zero)
            let second = try await claimShared(other, limit: 3)
            #expect(second.jobs.count == 1)
            #expect(abs(second.nextTokenIn.seconds - 0.1) < 1e-6, "one token per 100 ms: \(second.nextTokenIn)")
            #expect(try await claimShared(owner, limit: 3).jobs.isEmpty)
            // 250 ms earn 2.5 tokens: two whole ones, and half a token stays for later.
            clock.advance(by: .milliseconds(250))
            let refilled = try await claimShared(other, limit: 5)
            #expect(refilled.jobs.count == 2)
            #expect(abs(refilled.nextTokenIn.seconds - 0.05) < 1e-6, "half a token left: \(refilled.nextTokenIn)")
            // Never more than the burst after an idle spell; an empty queue spends nothing.
            clock.advance(by: .seconds(60))
            #expect(try await claimShared(owner, limit: 10).jobs.count == 4)
            clock.advance(by: .seconds(60))
            #expect(try await claimShared(owner, limit: 2).jobs.count == 2)
            _ = try await claim(store, clock, queue: "r", names: nil, limit: 100)  // drain the rest without the limit
            #expect(try await claimShared(owner, limit: 4).jobs.isEmpty)
            _ = try await enqueue(store, clock, (0..<4).map { _ in NewJob(queue: "r", name: "x") })
            #expect(try await claimShared(other, limit: 4).jobs.count == 2, "the empty claim spent nothing")
            // Each queue has its own bucket; a paused queue hands out nothing and spends nothing.
            _ = try await enqueue(store, clock, [NewJob(queue: "s", name: "x")])
            func claimS() async throws -> [ClaimedJob] {
                let result = try await store.claim(
                    queue: "s", names: nil, limit: 1, owner: owner, leaseUntil: clock.now().addingTimeInterval(lease), now: clock.now(),
                    sharedRate: rate)
                return result.jobs
            }
            try await store.setPaused(true, queue: "s")
            #expect(try await claimS().isEmpty)
            try await store.setPaused(false, queue: "s")
            #expect(try await claimS().count == 1)
        },
        ConformanceCase("cancel stops waiting and running jobs; a finished job cannot be cancelled") { store, clock in
            let ids = try await enqueue(store, clock, [NewJob(name: "waiting", priority: 0), NewJob(name: "running", priority: 1)])
            let running = try #require(try await claim(store, clock, limit: 1).first)
            #expect(running.record.id == ids[1])
            #expect(try await store.cancel(ids[0], now: clock.now()).state == .cancelled)
            #expect(try await store.cancel(ids[1], now: clock.now()).state == .cancelled)
            // The worker learns at its next lease extension and its outcome is ignored.
            #expect(try await store.extendLeases([ids[1]], owner: owner, until: clock.now().addingTimeInterval(30)).isEmpty)
            #expect(try await store.complete([outcome(running, .succeeded(result: nil))], now: clock.now()).isEmpty)
            #expect(try await state(store, clock, ids[1]) == .cancelled)
            #expect(try await claim(store, clock).isEmpty)
            await #expect(throws: StewardError.invalidTransition(job: ids[0], from: .cancelled, action: "cancel")) {
                _ = try await store.cancel(ids[0], now: clock.now())
            }
            await #expect(throws: StewardError.jobNotFound(JobID(424_242))) {
                _ = try await store.cancel(JobID(424_242), now: clock.now())
            }
            // A cancelled job can be retried.
            #expect(try await store.retry(ids[0], now: clock.now()).state == .available)
        },
        ConformanceCase("finished jobs past retention are purged with their history; others stay") { store, clock in
            let ids = try await enqueue(store, clock, [NewJob(name: "old"), NewJob(name: "failed"), NewJob(name: "new"), NewJob(name: "waiting")])
            let claimed = try await claim(store, clock, limit: 2)
            try await store.complete(
                [outcome(claimed[0], .succeeded(result: nil)), outcome(claimed[1], .dead(error: boom))], now: clock.now())
            clock.advance(by: .seconds(3600))
            let late = try #require(try await claim(store, clock, limit: 1).first)
            try await store.complete([outcome(late, .succeeded(result: nil))], now: clock.now())
            let purged = try await store.purgeFinished(before: clock.now().addingTimeInterval(-60))
            #expect(purged == 2)
            #expect(try await store.job(ids[0], now: clock.now()) == nil)
            #expect(try await store.job(ids[1], now: clock.now()) == nil)
            #expect(try await store.history(ids[1]).isEmpty)
            #expect(try await state(store, clock, ids[2]) == .succeeded)
            #expect(try await state(store, clock, ids[3]) == .available)
        },
    ]

    static let queries: [ConformanceCase] = [
        ConformanceCase("queue stats count states, the last minute's outcomes and the oldest wait") { store, clock in
            let t0 = clock.now()
            _ = try await enqueue(
                store, clock,
                [
                    NewJob(queue: "s", name: "a", runAt: t0.addingTimeInterval(-30)),
                    NewJob(queue: "s", name: "b"), NewJob(queue: "s", name: "c"), NewJob(queue: "s", name: "d"),
                    NewJob(queue: "s", name: "later", runAt: t0.addingTimeInterval(600)),
                ])
            let claimed = try await claim(store, clock, queue: "s", names: nil, limit: 3)
            try await store.complete(
                [
                    outcome(claimed[0], .succeeded(result: nil)),
                    outcome(claimed[1], .retry(runAt: t0.addingTimeInterval(300), error: boom)),
                ], now: clock.now())
            let stats = try await store.queueStats("s", now: clock.now())
            #expect(stats.counts["succeeded"] == 1)
            #expect(stats.counts["running"] == 1)
            #expect(stats.counts["scheduled"] == 2)
            #expect(stats.counts["available"] == 1)
            #expect(stats.counts["dead"] == 0)
            #expect(stats.running == 1)
            #expect(stats.succeededLastMinute == 1)
            #expect(stats.failedLastMinute == 1)
            #expect(stats.errorRate == 0.5)
            #expect(stats.oldestWaitingAgeSeconds == 0)
            clock.advance(by: .seconds(61))
            let later = try await store.queueStats("s", now: clock.now())
            #expect(later.succeededLastMinute == 0)
            #expect(later.failedLastMinute == 0)
            #expect(later.oldestWaitingAgeSeconds == 61)
            #expect(try await store.queueStats("nothing-waits", now: clock.now()).oldestWaitingAgeSeconds == nil)
        },
        ConformanceCase("jobs can be listed by queue, state and name, newest first") { store, clock in
            let ids = try await enqueue(
                store, clock,
                [
                    NewJob(queue: "x", name: "a"), NewJob(queue: "x", name: "b"), NewJob(queue: "y", name: "a"),
                    NewJob(queue: "x", name: "a", runAt: clock.now().addingTimeInterval(60)),
                ])
            #expect(try await store.jobs(JobFilter(queue: "x"), now: clock.now()).map(\.id) == [ids[3], ids[1], ids[0]])
            #expect(try await store.jobs(JobFilter(name: "a"), now: clock.now()).map(\.id) == [ids[3], ids[2], ids[0]])
            #expect(try await store.jobs(JobFilter(queue: "x", state: .scheduled), now: clock.now()).map(\.id) == [ids[3]])
            #expect(try await store.jobs(JobFilter(queue: "x", state: .available), now: clock.now()).map(\.id) == [ids[1], ids[0]])
            #expect(try await store.jobs(JobFilter(limit: 2), now: clock.now()).count == 2)
            #expect(try await store.jobs(JobFilter(limit: 10, beforeID: ids[1]), now: clock.now()).map(\.id) == [ids[0]])
            clock.advance(by: .seconds(60))
            #expect(try await store.jobs(JobFilter(queue: "x", state: .available), now: clock.now()).count == 3)
        },
    ]
}
