import Foundation
import Steward
import Testing

extension StoreConformance {
    static let activity: [ConformanceCase] = [
        ConformanceCase("job activity counts jobs over every queue and attempts per minute; retrying jobs filter apart") { store, clock in
            let t0 = clock.now()
            let m0 = Int64((t0.timeIntervalSince1970 / 60).rounded(.down))
            let ids = try await enqueue(store, clock, [NewJob(queue: "act", name: "ok"), NewJob(queue: "act", name: "ok"), NewJob(queue: "act", name: "flaky")])
            let claimed = try await claim(store, clock, queue: "act")
            #expect(claimed.count == 3)
            let byID = Dictionary(uniqueKeysWithValues: claimed.map { ($0.record.id, $0) })
            _ = try await store.complete(
                [
                    outcome(byID[ids[0]]!, .succeeded(result: nil)), outcome(byID[ids[1]]!, .succeeded(result: nil)),
                    outcome(byID[ids[2]]!, .retry(runAt: t0.addingTimeInterval(600), error: boom)),
                ], now: clock.now())
            _ = try await enqueue(store, clock, [NewJob(queue: "act2", name: "doomed")])
            let doomed = try #require(try await claim(store, clock, queue: "act2").first)
            _ = try await store.complete([outcome(doomed, .dead(error: boom))], now: clock.now())
            _ = try await enqueue(store, clock, [NewJob(queue: "act3", name: "later", runAt: t0.addingTimeInterval(3600)), NewJob(queue: "act3", name: "due")])
            _ = try await enqueue(store, clock, [NewJob(queue: "act4", name: "busy")])
            let busy = try #require(try await claim(store, clock, queue: "act4").first)

            clock.advance(by: .seconds(120))
            _ = try await store.complete([outcome(busy, .succeeded(result: nil))], now: clock.now())
            _ = try await enqueue(store, clock, [NewJob(queue: "act4", name: "busy")])
            _ = try #require(try await claim(store, clock, queue: "act4").first)

            let a = try await store.jobActivity(since: t0.addingTimeInterval(-3600), now: clock.now())
            #expect(a.running == 1)
            #expect(a.available == 1)
            #expect(a.scheduled == 2, "the later job and the retry")
            #expect(a.retrying == 1)
            #expect(a.dead == 1)
            #expect(a.minutes.map { Int64(($0.minute.timeIntervalSince1970 / 60).rounded()) } == [m0, m0 + 2])
            #expect(a.minutes.map(\.succeeded) == [2, 1])
            #expect(a.minutes.map(\.failed) == [2, 0], "a retry and a dead attempt")
            // Only attempts since `since` are read.
            let recent = try await store.jobActivity(since: clock.now().addingTimeInterval(-30), now: clock.now())
            #expect(recent.minutes.map(\.succeeded) == [1])

            #expect(try await store.jobs(JobFilter(retrying: true), now: clock.now()).map(\.id) == [ids[2]])
            #expect(try await store.jobs(JobFilter(queue: "act3", retrying: true), now: clock.now()).isEmpty)
        },
        ConformanceCase("a job's dependents are the jobs that name it as a parent, also after it finished") { store, clock in
            let parents = try await enqueue(store, clock, [NewJob(queue: "dep", name: "parent"), NewJob(queue: "dep", name: "other")])
            let children = try await enqueue(
                store, clock, [NewJob(queue: "dep", name: "c1", dependsOn: [parents[0]]), NewJob(queue: "dep", name: "c2", dependsOn: parents)])
            #expect(try await store.dependents(of: parents[0]) == children)
            #expect(try await store.dependents(of: parents[1]) == [children[1]])
            #expect(try await store.dependents(of: children[0]).isEmpty)
            let claimed = try await claim(store, clock, queue: "dep")
            _ = try await store.complete(claimed.map { outcome($0, .succeeded(result: nil)) }, now: clock.now())
            #expect(try await store.dependents(of: parents[0]) == children)
        },
    ]
}
