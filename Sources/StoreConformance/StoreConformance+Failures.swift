import Foundation
import Steward
import Testing

extension StoreConformance {
    static let failures: [ConformanceCase] = [
        ConformanceCase("a retry waits for its backoff on the clock, then runs as the next attempt") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(name: "flaky")])[0]
            let job = try #require(try await claim(store, clock).first)
            let policy = RetryPolicy.exponential(initial: .seconds(4), jitter: 0)
            let runAt = clock.now().addingTimeInterval(policy.baseDelay(afterAttempt: job.record.attempt))
            let error = JobErrorInfo(type: "Timeout", message: "upstream slow", attempt: 1)
            #expect(try await store.complete([outcome(job, .retry(runAt: runAt, error: error))], now: clock.now()) == [id])
            let waiting = try #require(try await store.job(id, now: clock.now()))
            #expect(waiting.state == .scheduled)
            #expect(waiting.runAt == runAt)
            #expect(waiting.lastError == error)
            #expect(waiting.retryCount == 1)
            clock.advance(by: .seconds(3.999))
            #expect(try await claim(store, clock).isEmpty)
            clock.advance(by: .milliseconds(1))
            let second = try #require(try await claim(store, clock).first)
            #expect(second.record.attempt == 2)
            let history = try await store.history(id)
            #expect(history.map(\.outcome) == ["retry"])
            #expect(history.first?.error?.type == "Timeout")
        },
        ConformanceCase("a dead job moves to the dead-letter queue and can be retried back") { store, clock in
            try await store.configureQueues([QueueSettings(name: "pay", deadLetterQueue: "pay-graveyard", maxAttempts: 3)])
            let id = try await enqueue(store, clock, [NewJob(queue: "pay", name: "charge")])[0]
            #expect(try await store.job(id, now: clock.now())?.maxAttempts == 3)
            let job = try #require(try await claim(store, clock, queue: "pay").first)
            #expect(try await store.complete([outcome(job, .dead(error: boom))], now: clock.now()) == [id])
            let dead = try #require(try await store.job(id, now: clock.now()))
            #expect(dead.state == .dead)
            #expect(dead.queue == "pay-graveyard")
            #expect(dead.originalQueue == "pay")
            #expect(dead.lastError == boom)
            #expect(try await store.queueStats("pay-graveyard", now: clock.now()).counts["dead"] == 1)
            let retried = try await store.retry(id, now: clock.now())
            #expect(retried.state == .available)
            #expect(retried.queue == "pay")
            #expect(retried.attempt == 0)
            #expect(retried.originalQueue == nil)
            #expect(try await claim(store, clock, queue: "pay").map(\.record.id) == [id])
            await #expect(throws: StewardError.self) { try await store.retry(id, now: clock.now()) }
        },
        ConformanceCase("the default dead-letter queue is <queue>-dlq") { store, clock in
            let id = try await enqueue(store, clock, [NewJob(queue: "img", name: "resize")])[0]
            let job = try #require(try await claim(store, clock, queue: "img").first)
            try await store.complete([outcome(job, .dead(error: boom))], now: clock.now())
            #expect(try await store.job(id, now: clock.now())?.queue == "img-dlq")
            #expect(try await store.queues().map(\.name).contains("img-dlq"))
        },
        ConformanceCase("a full queue refuses the whole batch with queueFull") { store, clock in
            try await store.configureQueues([QueueSettings(name: "small", maxDepth: 3)])
            _ = try await enqueue(store, clock, [NewJob(queue: "small", name: "a"), NewJob(queue: "small", name: "b")])
            await #expect(throws: StewardError.queueFull(queue: "small", maxDepth: 3)) {
                _ = try await store.enqueue(
                    [NewJob(queue: "small", name: "c"), NewJob(queue: "small", name: "d"), NewJob(queue: "other", name: "e")],
                    now: clock.now())
            }
            let stats = try await store.queueStats("small", now: clock.now())
            #expect(stats.counts["available"] == 2)
            #expect(try await store.queueStats("other", now: clock.now()).counts["available"] == 0)
            _ = try await enqueue(store, clock, [NewJob(queue: "small", name: "c")])
            // Running jobs do not count toward depth.
            _ = try await claim(store, clock, queue: "small", limit: 3)
            _ = try await enqueue(store, clock, [NewJob(queue: "small", name: "d")])
        },
        ConformanceCase("invalid jobs are refused with the field named, and nothing is added") { store, clock in
            await #expect(throws: StewardError.invalidArgument(field: "payload", message: "payload: not valid JSON: {not json")) {
                _ = try await store.enqueue([NewJob(name: "ok"), NewJob(name: "bad", payload: "{not json")], now: clock.now())
            }
            await #expect(throws: StewardError.invalidArgument(field: "queue", message: "queue: must not be empty")) {
                _ = try await store.enqueue([NewJob(queue: "", name: "x")], now: clock.now())
            }
            // Every insert path checks its rows: a keyed job, a job with parents in the batch, an
            // idempotent enqueue.
            await #expect(throws: StewardError.self) {
                _ = try await store.enqueue([NewJob(name: "ok", uniqueKey: "k"), NewJob(name: "bad", payload: "{", uniqueKey: "k2")], now: clock.now())
            }
            await #expect(throws: StewardError.invalidArgument(field: "priority", message: "priority: 4294967296 is outside -2147483648...2147483647")) {
                _ = try await store.enqueue([NewJob(name: "a"), NewJob(name: "b", priority: 1 << 32, dependsOnBatch: [0])], now: clock.now())
            }
            await #expect(throws: StewardError.self) {
                _ = try await store.enqueue(
                    NewJob(name: "", payload: "{}"), idempotency: IdempotencyKey(key: "i", fingerprint: "f", expiresAt: clock.now().addingTimeInterval(60)),
                    now: clock.now())
            }
            let stored = try await store.jobs(JobFilter(), now: clock.now())
            #expect(stored.isEmpty)
        },
    ]
}
