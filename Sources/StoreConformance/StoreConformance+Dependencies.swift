import Foundation
import Steward
import Testing

extension StoreConformance {
    /// Finishes every claimable job of `queue` as `kind` (several claims, as workers would).
    static func finishAll(_ store: any StewardStore, _ clock: ManualClock, queue: String = "default", _ kind: JobOutcome.Kind)
        async throws -> [JobID]
    {
        var done: [JobID] = []
        while true {
            let claimed = try await claim(store, clock, queue: queue, limit: 100)
            if claimed.isEmpty { return done }
            try await store.complete(claimed.map { outcome($0, kind) }, now: clock.now())
            done += claimed.map(\.record.id)
        }
    }

    static let dependencies: [ConformanceCase] = [
        ConformanceCase("a job after unfinished parents waits, and is released by the finish of the last one") { store, clock in
            let parents = try await enqueue(store, clock, [NewJob(queue: "p", name: "a"), NewJob(queue: "p", name: "b")])
            let child = try await store.enqueue([NewJob(name: "child", dependsOn: parents.reversed())], now: clock.now())[0]
            #expect(child.state == .waiting)
            let record = try #require(try await store.job(child.id, now: clock.now()))
            #expect(record.dependsOn == parents.sorted())
            #expect(try await claim(store, clock).isEmpty, "a waiting job was claimed")
            #expect(try await store.queueStats("default", now: clock.now()).counts["waiting"] == 1)
            let first = try await claim(store, clock, queue: "p", names: nil, limit: 1)
            try await store.complete([outcome(first[0], .succeeded(result: #"{"n":1}"#))], now: clock.now())
            #expect(try await state(store, clock, child.id) == .waiting, "released before its last parent finished")
            let second = try await claim(store, clock, queue: "p", names: nil, limit: 1)
            try await store.complete([outcome(second[0], .succeeded(result: nil))], now: clock.now())
            #expect(try await state(store, clock, child.id) == .available)
            let claimed = try await claim(store, clock)
            #expect(claimed.map(\.record.id) == [child.id])
            #expect(claimed.first?.record.dependsOn == parents.sorted(), "the handler learns its parents")
        },
        ConformanceCase("a job that did not run ends cancelled with its reason, no attempt counted or recorded, and releases its children") { store, clock in
            let parent = try await enqueue(store, clock, [NewJob(queue: "p", name: "task")])[0]
            let child = try await store.enqueue([NewJob(name: "child", dependsOn: [parent])], now: clock.now())[0].id
            let claimed = try await claim(store, clock, queue: "p")
            let reason = JobErrorInfo(type: "steward.workflow.skipped", message: "when: x is false", attempt: 0)
            // Only under its lease: another owner's outcome is not applied.
            #expect(try await store.complete([outcome(claimed[0], .notRun(reason: reason), owner: other)], now: clock.now()).isEmpty)
            #expect(try await store.complete([outcome(claimed[0], .notRun(reason: reason))], now: clock.now()) == [parent])
            let record = try #require(try await store.job(parent, now: clock.now()))
            #expect(record.state == .cancelled && record.attempt == 0 && record.result == nil && record.finishedAt != nil)
            #expect(record.lastError?.type == "steward.workflow.skipped" && record.lastError?.message == "when: x is false")
            #expect(try await store.history(parent).isEmpty)
            #expect(try await state(store, clock, child) == .available)
        },
        ConformanceCase("a parent that dies or is cancelled also releases its children") { store, clock in
            let parents = try await enqueue(store, clock, [NewJob(queue: "p", name: "dies"), NewJob(queue: "p", name: "waits")])
            let child = try await store.enqueue([NewJob(name: "child", dependsOn: parents)], now: clock.now())[0].id
            let claimed = try await claim(store, clock, queue: "p", names: nil, limit: 1)
            #expect(claimed.map(\.record.id) == [parents[0]])
            try await store.complete([outcome(claimed[0], .dead(error: boom))], now: clock.now())
            #expect(try await state(store, clock, child) == .waiting)
            _ = try await store.cancel(parents[1], now: clock.now())
            #expect(try await state(store, clock, child) == .available)
            let ends = try await store.jobs(JobFilter(), now: clock.now()).filter { parents.contains($0.id) }.map(\.state)
            #expect(Set(ends) == [.dead, .cancelled], "the child can read how each parent ended: \(ends)")
        },
        ConformanceCase("a parent whose lease expires on its last attempt releases its children when rescued dead") { store, clock in
            let parent = try await enqueue(store, clock, [NewJob(queue: "p", name: "x", retryPolicy: .fixed(maxAttempts: 1, delay: .seconds(1)))])[0]
            let child = try await store.enqueue([NewJob(name: "child", dependsOn: [parent])], now: clock.now())[0].id
            _ = try await claim(store, clock, queue: "p")
            clock.advance(by: .seconds(lease + 1))
            let report = try await store.rescueExpiredLeases(now: clock.now())
            #expect(report.deadLettered == [parent])
            #expect(try await state(store, clock, child) == .available)
        },
        ConformanceCase("a retried or released parent does not release its children; finished parents count at enqueue") { store, clock in
            let parents = try await enqueue(store, clock, [NewJob(queue: "p", name: "a"), NewJob(queue: "p", name: "b")])
            let child = try await store.enqueue([NewJob(name: "child", dependsOn: [parents[0]])], now: clock.now())[0].id
            var claimed = try await claim(store, clock, queue: "p", names: nil, limit: 1)
            try await store.complete(
                [outcome(claimed[0], .retry(runAt: clock.now(), error: boom))], now: clock.now())
            #expect(try await state(store, clock, child) == .waiting)
            claimed = try await claim(store, clock, queue: "p", names: nil, limit: 2)
            let released = try #require(claimed.first { $0.record.id == parents[0] })
            try await store.complete([outcome(released, .released)], now: clock.now())
            #expect(try await state(store, clock, child) == .waiting)
            // Parent b finished before its child is enqueued: the child starts available.
            let b = try #require(claimed.first { $0.record.id == parents[1] })
            try await store.complete([outcome(b, .succeeded(result: nil))], now: clock.now())
            let late = try await store.enqueue([NewJob(name: "late", dependsOn: [parents[1]])], now: clock.now())[0]
            #expect(late.state == .available)
            // A delayed child whose parents are done reads as scheduled until its run-at.
            let delayed = try await store.enqueue(
                [NewJob(name: "delayed", runAt: clock.now().addingTimeInterval(60), dependsOn: [parents[0]])], now: clock.now())[0].id
            _ = try await finishAll(store, clock, queue: "p", .succeeded(result: nil))
            #expect(try await state(store, clock, child) == .available)
            #expect(try await state(store, clock, delayed) == .scheduled)
            clock.advance(by: .seconds(61))
            #expect(try await state(store, clock, delayed) == .available)
        },
        ConformanceCase("enqueueing after an unknown job is refused and adds nothing") { store, clock in
            let parent = try await enqueue(store, clock, [NewJob(name: "real")])[0]
            let unknown = JobID(parent.rawValue + 1_000)
            await #expect(throws: StewardError.parentNotFound(unknown)) {
                _ = try await store.enqueue(
                    [NewJob(name: "fine"), NewJob(name: "child", dependsOn: [parent, unknown])], now: clock.now())
            }
            #expect(try await store.jobs(JobFilter(name: "fine"), now: clock.now()).isEmpty, "a refused batch added a job")
            // A purged parent is unknown too.
            let claimed = try await claim(store, clock)
            try await store.complete([outcome(claimed[0], .succeeded(result: nil))], now: clock.now())
            clock.advance(by: .seconds(10))
            #expect(try await store.purgeFinished(before: clock.now()) == 1)
            await #expect(throws: StewardError.parentNotFound(parent)) {
                _ = try await store.enqueue([NewJob(name: "orphan", dependsOn: [parent])], now: clock.now())
            }
        },
        ConformanceCase("a waiting job holds its unique key and can be cancelled; cancelling it releases its own children") { store, clock in
            let parent = try await enqueue(store, clock, [NewJob(queue: "p", name: "parent")])[0]
            let child = try await store.enqueue([NewJob(name: "c", uniqueKey: "k", dependsOn: [parent])], now: clock.now())[0]
            let again = try await store.enqueue([NewJob(name: "c", uniqueKey: "k", dependsOn: [parent])], now: clock.now())[0]
            #expect(again.id == child.id && again.duplicate && again.state == .waiting)
            let grandchild = try await store.enqueue([NewJob(name: "g", dependsOn: [child.id])], now: clock.now())[0]
            #expect(grandchild.state == .waiting)
            #expect(try await store.cancel(child.id, now: clock.now()).state == .cancelled)
            #expect(try await state(store, clock, grandchild.id) == .available)
            _ = try await finishAll(store, clock, queue: "p", .succeeded(result: nil))
            #expect(try await state(store, clock, child.id) == .cancelled, "a cancelled child was released")
        },
        ConformanceCase("a graph enqueued in one call names earlier jobs by index") { store, clock in
            let results = try await store.enqueue(
                [
                    NewJob(queue: "g", name: "a"), NewJob(queue: "g", name: "b", dependsOnBatch: [0]),
                    NewJob(queue: "g", name: "c", dependsOnBatch: [0, 1]),
                ], now: clock.now())
            #expect(results.map(\.state) == [.available, .waiting, .waiting])
            #expect(try await store.job(results[2].id, now: clock.now())?.dependsOn == [results[0].id, results[1].id])
            _ = try await finishAll(store, clock, queue: "g", .succeeded(result: nil))
            #expect(try await state(store, clock, results[1].id) == .succeeded)
            #expect(try await state(store, clock, results[2].id) == .succeeded)
            await #expect(throws: StewardError.self) {
                _ = try await store.enqueue([NewJob(queue: "g", name: "x", dependsOnBatch: [0])], now: clock.now())
            }
        },
        ConformanceCase("a job can hold back a waiting job: the collector waits for items added later") { store, clock in
            let dispatcher = try await enqueue(store, clock, [NewJob(queue: "d", name: "dispatch")])[0]
            let collector = try await store.enqueue([NewJob(queue: "c", name: "collect", dependsOn: [dispatcher])], now: clock.now())[0].id
            // While the dispatcher runs, it adds two items as parents of the collector.
            let running = try await claim(store, clock, queue: "d")
            let items = try await enqueue(
                store, clock, [NewJob(queue: "i", name: "item", holds: [collector]), NewJob(queue: "i", name: "item", holds: [collector])])
            try await store.complete([outcome(running[0], .succeeded(result: nil))], now: clock.now())
            #expect(try await state(store, clock, collector) == .waiting, "released before its items finished")
            let first = try await claim(store, clock, queue: "i", limit: 1)
            try await store.complete([outcome(first[0], .dead(error: boom))], now: clock.now())
            #expect(try await state(store, clock, collector) == .waiting)
            _ = try await finishAll(store, clock, queue: "i", .succeeded(result: "2"))
            #expect(try await state(store, clock, collector) == .available)
            #expect(Set(items).count == 2)
            // Holding a job that no longer waits is refused, and nothing is added.
            await #expect(throws: StewardError.self) {
                _ = try await store.enqueue([NewJob(queue: "late", name: "x"), NewJob(queue: "late", name: "y", holds: [collector])], now: clock.now())
            }
            #expect(try await store.jobs(JobFilter(queue: "late"), now: clock.now()).isEmpty)
        },
        ConformanceCase("1,000 parents finishing concurrently release their child exactly once") { store, clock in
            let parents = try await enqueue(store, clock, (0..<1_000).map { NewJob(queue: "p", name: "p\($0)") })
            let child = try await store.enqueue([NewJob(name: "child", dependsOn: parents)], now: clock.now())[0].id
            let wakeups = store.wakeups()
            // Four workers claim and finish small batches at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<4 {
                    group.addTask {
                        while true {
                            let claimed = try await store.claim(
                                queue: "p", names: nil, limit: 7, owner: "w\(w)", leaseUntil: clock.now().addingTimeInterval(lease),
                                now: clock.now())
                            if claimed.isEmpty { return }
                            let kind: JobOutcome.Kind = w == 3 ? .dead(error: boom) : .succeeded(result: w == 2 ? "1" : nil)
                            try await store.complete(
                                claimed.map { JobOutcome(id: $0.record.id, owner: "w\(w)", startedAt: clock.now(), kind: kind) },
                                now: clock.now())
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await state(store, clock, child) == .available)
            #expect(await waitForWakeup(wakeups, queue: "default", timeout: .seconds(5)), "no wake-up for the released child")
            let claimed = try await claim(store, clock)
            #expect(claimed.map(\.record.id) == [child])
            #expect(try await store.sweepWaitingJobs(now: clock.now()) == 0)
        },
        ConformanceCase("children enqueued while their parent finishes are released exactly once") { store, clock in
            // Races enqueue of children against the completion of their parents, 40 times over.
            for round in 0..<40 {
                let parents = try await enqueue(store, clock, [NewJob(queue: "r\(round)", name: "a"), NewJob(queue: "r\(round)", name: "b")])
                let claimed = try await claim(store, clock, queue: "r\(round)", limit: 2)
                async let child = store.enqueue([NewJob(queue: "c\(round)", name: "child", dependsOn: parents)], now: clock.now())
                async let finished: Set<JobID> = store.complete(
                    claimed.map { outcome($0, .succeeded(result: nil)) }, now: clock.now())
                let (id, done) = (try await child[0].id, try await finished)
                #expect(done.count == 2)
                #expect(try await state(store, clock, id) == .available, "round \(round): the child was left waiting")
            }
            #expect(try await store.sweepWaitingJobs(now: clock.now()) == 0)
        },
    ]
}
