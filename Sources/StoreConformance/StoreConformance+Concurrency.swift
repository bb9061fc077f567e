import Foundation
import Steward
import Testing

extension StoreConformance {
    static let concurrency: [ConformanceCase] = [
        ConformanceCase("concurrent enqueues into a bounded queue never exceed its max depth") { store, clock in
            try await store.configureQueues([QueueSettings(name: "bounded", maxDepth: 5)])
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        do {
                            _ = try await store.enqueue([NewJob(queue: "bounded", name: "j\(i)")], now: clock.now())
                            return true
                        } catch StewardError.queueFull(queue: "bounded", maxDepth: 5) {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 5, "\(outcomes.filter { $0 }.count) of 24 enqueues were accepted")
            #expect(try await store.queueStats("bounded", now: clock.now()).counts["available"] == 5)
        },
        ConformanceCase("concurrent enqueues with one unique key make exactly one job") { store, clock in
            let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        try await store.enqueue([NewJob(name: "once", payload: #"{"n":\#(i)}"#, uniqueKey: "the-key")], now: clock.now())[0]
                    }
                }
                return try await group.reduce(into: [EnqueueResult]()) { $0.append($1) }
            }
            #expect(Set(results.map(\.id)).count == 1, "ids: \(Set(results.map(\.id)))")
            #expect(results.filter { !$0.duplicate }.count == 1)
            #expect(try await store.jobs(JobFilter(name: "once"), now: clock.now()).count == 1)
        },
        ConformanceCase("names, priorities and attempts beyond the shared limits are refused the same way") { store, clock in
            let longName = String(repeating: "q", count: NewJob.maximumNameBytes + 1)
            let cases: [(NewJob, String)] = [
                (NewJob(queue: longName, name: "x"), "queue: 256 bytes"),
                (NewJob(name: String(repeating: "n", count: 9_000)), "name: 9000 bytes"),
                (NewJob(name: "x", priority: Int(Int32.max) + 1), "priority: 2147483648 is outside"),
                (NewJob(name: "x", retryPolicy: .fixed(maxAttempts: Int(Int32.max) + 1, delay: .seconds(1))), "maxAttempts"),
                (NewJob(name: "x", uniqueKey: String(repeating: "k", count: 2_000)), "unique key: 2000 bytes"),
                (NewJob(queue: "bell\u{7}", name: "x"), "control characters"),
            ]
            for (job, message) in cases {
                await #expect {
                    _ = try await store.enqueue([NewJob(name: "fine"), job], now: clock.now())
                } throws: { "\($0)".contains(message) }
            }
            #expect(try await store.jobs(JobFilter(name: "fine"), now: clock.now()).isEmpty, "a refused batch added a job")
            let edge = try await store.enqueue(
                [NewJob(queue: String(repeating: "q", count: NewJob.maximumNameBytes), name: "x", priority: Int(Int32.min))],
                now: clock.now())[0]
            #expect(try await store.job(edge.id, now: clock.now())?.priority == Int(Int32.min))
        },
    ]
}

extension StoreConformance {
    static let admin: [ConformanceCase] = [
        ConformanceCase("bulk cancel: every job matching the filter, paging past the page size; others untouched") {
            store, clock in
            let admin = JobAdmin(store: store, clock: clock)
            let mail = try await enqueue(store, clock, (0..<7).map { _ in NewJob(queue: "mail", name: "send") })
            let other = try await enqueue(store, clock, [NewJob(queue: "mail", name: "digest"), NewJob(queue: "web", name: "send")])
            let result = try await admin.cancelAll(JobFilter(queue: "mail", name: "send", limit: 3))
            #expect(result.matched == 7)
            #expect(Set(result.changed) == Set(mail.map(\.rawValue)))
            #expect(result.skipped.isEmpty)
            for id in mail { #expect(try await state(store, clock, id) == .cancelled) }
            for id in other { #expect(try await state(store, clock, id) == .available) }
            await #expect(throws: StewardError.invalidArgument(field: "filter", message: "filter: name at least one of queue, state, name for a bulk action")) {
                _ = try await admin.cancelAll(JobFilter())
            }
        },
        ConformanceCase("bulk retry: dead jobs of a queue go back to their original queue with fresh attempts") { store, clock in
            let admin = JobAdmin(store: store, clock: clock)
            try await store.configureQueues([QueueSettings(name: "pay", maxAttempts: 1)])
            let ids = try await enqueue(store, clock, (0..<3).map { _ in NewJob(queue: "pay", name: "charge") })
            let claimed = try await claim(store, clock, queue: "pay", limit: 3)
            try await store.complete(claimed.map { outcome($0, .dead(error: boom)) }, now: clock.now())
            await #expect(throws: StewardError.invalidArgument(field: "state", message: "state: a bulk retry needs state dead or cancelled")) {
                _ = try await admin.retryAll(JobFilter(queue: "pay-dlq"))
            }
            let result = try await admin.retryAll(JobFilter(queue: "pay-dlq", state: .dead))
            #expect(Set(result.changed) == Set(ids.map(\.rawValue)))
            for id in ids {
                let record = try #require(try await store.job(id, now: clock.now()))
                #expect(record.state == .available)
                #expect(record.queue == "pay")
                #expect(record.attempt == 0)
            }
        },
    ]
}

extension StoreConformance {
    static let events: [ConformanceCase] = [
        ConformanceCase("finished jobs are announced: a completion, a dead letter, a cancel") { store, clock in
            let ids = try await enqueue(store, clock, [NewJob(name: "a"), NewJob(name: "b"), NewJob(name: "c")])
            let claimed = try await claim(store, clock, limit: 2)
            var events = store.finishedJobs()
            try await store.complete([outcome(claimed[0], .succeeded(result: nil))], now: clock.now())
            #expect(await waitForAny(events, timeout: .seconds(5)), "no event for a success")
            events = store.finishedJobs()
            try await store.complete([outcome(claimed[1], .dead(error: boom))], now: clock.now())
            #expect(await waitForAny(events, timeout: .seconds(5)), "no event for a dead letter")
            events = store.finishedJobs()
            _ = try await store.cancel(ids[2], now: clock.now())
            #expect(await waitForAny(events, timeout: .seconds(5)), "no event for a cancel")
        },
        ConformanceCase("a handler's context enqueues follow-up jobs on its own store") { store, clock in
            let registry = JobRegistry()
            registry.register(name: "first") { _, context in
                try await context.enqueue([NewJob(name: "second", payload: #"{"from":\#(context.id.rawValue)}"#)])
                return nil
            }
            registry.register(name: "second") { _, _ in #""done""# }
            let first = try await store.enqueue([NewJob(name: "first")], now: Date())[0].id
            let worker = Worker(store: store, registry: registry, queues: [QueueConfiguration(name: "default")])
            let running = Task { try await worker.run() }
            let client = StewardClient(store: store)
            _ = try await client.waitForResult(first, timeout: .seconds(10))
            let second = try #require(try await store.jobs(JobFilter(name: "second"), now: Date()).first)
            #expect(second.payload == #"{"from":\#(first.rawValue)}"#)
            #expect(try await client.waitForResult(second.id, timeout: .seconds(10)).result == #""done""#)
            running.cancel()
            _ = await running.result
        },
    ]
}
