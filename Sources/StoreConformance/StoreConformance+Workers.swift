import Foundation
import Steward
import Testing

extension StoreConformance {
    static let workers: [ConformanceCase] = [
        ConformanceCase("a worker's presence replaces its last; workers silent before the cutoff are forgotten, the reporting one never") {
            store, clock in
            let t0 = clock.now()
            let queues = [WorkerPresence.Queue(name: "default", concurrency: 4), WorkerPresence.Queue(name: "mail", concurrency: 1)]
            let a = WorkerPresence(id: "host-a:1:x", host: "host-a", pid: 1, queues: queues, running: 0, startedAt: t0, lastHeartbeatAt: t0)
            let b = WorkerPresence(id: "host-b:2:y", host: "host-b", pid: 2, queues: [queues[0]], running: 3, startedAt: t0, lastHeartbeatAt: t0)
            try await store.recordWorker(a, forgetBefore: t0.addingTimeInterval(-86_400))
            try await store.recordWorker(b, forgetBefore: t0.addingTimeInterval(-86_400))
            #expect(try await store.workers().sorted { $0.id < $1.id } == [a, b])

            // A later report of `a` replaces it whole (running count, heartbeat, stop).
            var later = a
            later.running = 2
            later.lastHeartbeatAt = t0.addingTimeInterval(10)
            later.stoppedAt = t0.addingTimeInterval(10)
            try await store.recordWorker(later, forgetBefore: t0.addingTimeInterval(-86_400))
            let found = try await store.workers().first { $0.id == a.id }
            #expect(found == later)

            // `b` (last heard of at t0) is forgotten by a report that cuts off after t0; the reporter stays.
            var next = later
            next.lastHeartbeatAt = t0.addingTimeInterval(100)
            try await store.recordWorker(next, forgetBefore: t0.addingTimeInterval(50))
            #expect(try await store.workers().map(\.id) == [a.id])
            // Even its own old row is not forgotten by its own report.
            var stale = next
            stale.lastHeartbeatAt = t0
            try await store.recordWorker(stale, forgetBefore: t0.addingTimeInterval(50))
            #expect(try await store.workers().map(\.id) == [a.id])
        }
    ]
}
