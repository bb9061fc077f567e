import Foundation
import Steward
import StewardPostgres
import StewardSQLite
import StoreConformance
import Testing

/// Finished-job events across store instances (as across processes), and `waitForResult` waking
/// on them rather than on its one-second safety poll.
@Suite("Completion events")
struct CompletionEventTests {
    enum Backend: String, CaseIterable { case sqlite, postgres }

    /// Two stores on one database: what a waiting process and a working process each hold.
    func pair(_ backend: Backend) async throws -> (waiter: any StewardStore, worker: any StewardStore, cleanUp: @Sendable () async throws -> Void) {
        switch backend {
        case .sqlite:
            let a = try makeTemporarySQLiteStore()
            try await a.migrate()
            let b = try SQLiteJobStore(path: a.path)
            return (a, b, { try await a.close(); try await b.close() })
        case .postgres:
            let a = try PostgresTestDatabase.makeStore()
            try await a.migrate()
            let b = try PostgresJobStore(url: PostgresTestDatabase.url(for: a))
            return (a, b, { try await b.close(); try await a.destroySchema(); try await a.close() })
        }
    }

    @Test("another instance's completion reaches waitForResult within milliseconds, not the 1 s poll", arguments: Backend.allCases)
    func crossInstance(_ backend: Backend) async throws {
        if backend == .postgres, !PostgresTestDatabase.enabled { return }
        let (waiter, worker, cleanUp) = try await pair(backend)
        let registry = JobRegistry()
        registry.register(name: "quick") { _, _ in #"{"ok":true}"# }
        try await withWorker(store: worker, registry: registry, queues: [QueueConfiguration(name: "default")]) { _ in
            // Warm up (the waiter's listener connects on its first wait).
            let warm = try await waiter.enqueue([NewJob(name: "quick")], now: Date())[0].id
            _ = try await StewardClient(store: waiter).waitForResult(warm, timeout: .seconds(10))
            var waits: [Duration] = []
            for _ in 0..<7 {
                let started = ContinuousClock.now
                let id = try await waiter.enqueue([NewJob(name: "quick")], now: Date())[0].id
                let record = try await StewardClient(store: waiter).waitForResult(id, timeout: .seconds(10))
                #expect(record.result == #"{"ok":true}"#)
                waits.append(ContinuousClock.now - started)
            }
            // A waiter woken only by its 1 s poll waits about a second each time; the median
            // keeps one slow wait on a loaded machine from failing the test.
            let median = waits.sorted()[waits.count / 2]
            #expect(median < .milliseconds(500), "median wait \(median) of \(waits): woken by the poll, not an event")
        }
        try await cleanUp()
    }

    @Test("another instance's cancel is announced", arguments: Backend.allCases)
    func crossInstanceCancel(_ backend: Backend) async throws {
        if backend == .postgres, !PostgresTestDatabase.enabled { return }
        let (waiter, worker, cleanUp) = try await pair(backend)
        let id = try await waiter.enqueue([NewJob(name: "never")], now: Date())[0].id
        let events = waiter.finishedJobs()
        _ = try await worker.cancel(id, now: Date())
        #expect(await StoreConformance.waitForAny(events, timeout: .seconds(5)))
        try await cleanUp()
    }
}
