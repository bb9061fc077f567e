import Foundation
import Steward
import StewardPostgres
import Testing

/// PostgreSQL stopped under a running worker. Stops the shared test cluster, so scripts/test runs
/// it alone, after everything else (its name holds "Outage").
@Suite("PostgreSQL outage", .serialized, .enabled(if: PostgresTestDatabase.enabled))
struct PostgresOutageTests {
    @Test("a worker whose pool was replaced during an outage still stops on SIGTERM, releasing its jobs")
    func sigtermAfterPoolReplaced() async throws {
        let env = ProcessInfo.processInfo.environment
        let stop = try #require(env["STEWARD_TEST_POSTGRES_STOP"], "scripts/test exports STEWARD_TEST_POSTGRES_STOP")
        let start = try #require(env["STEWARD_TEST_POSTGRES_START"], "scripts/test exports STEWARD_TEST_POSTGRES_START")
        let store = try PostgresJobStore(
            url: PostgresTestDatabase.url(for: try PostgresTestDatabase.makeStore()).replacingOccurrences(
                of: "call_timeout=5s", with: "call_timeout=2s"))
        try await store.migrate()
        let workers = try WorkerProcesses(storeURL: PostgresTestDatabase.url(for: store).replacingOccurrences(
            of: "call_timeout=5s", with: "call_timeout=2s"))
        let worker = try workers.spawn(
            "w", concurrency: 4, extra: ["--lease", "5s", "--rescue-interval", "1s", "--shutdown-grace", "1s"])
        func state(_ id: JobID) async throws -> JobState? { try await store.job(id, now: Date())?.state }

        let before = try await store.enqueue([NewJob(queue: "mp", name: "steward.noop")], now: Date())[0].id
        #expect(try await eventually(timeout: .seconds(20)) { try await state(before) == .succeeded })
        // Long enough for store calls to miss their 2 s deadline, so the worker replaces its pool.
        #expect(runShell(stop) == 0, "stopping PostgreSQL failed")
        try await Task.sleep(for: .seconds(6))
        #expect(runShell(start) == 0, "starting PostgreSQL failed")
        #expect(workers.logs().contains("replacing the connection pool"), "the pool was never replaced:\n\(workers.logs())")

        let back = await eventually(timeout: .seconds(30)) { (try? await store.migrate()) != nil }
        #expect(back, "the database did not come back")
        let ids = try await store.enqueue(
            (0..<2).map { _ in NewJob(queue: "mp", name: "steward.sleep", payload: #"{"seconds": 30}"#) }, now: Date()
        ).map(\.id)
        let running = try await eventually(timeout: .seconds(30)) {
            var all = true
            for id in ids where try await state(id) != .running { all = false }
            return all
        }
        #expect(running, "the worker did not recover after the outage:\n\(workers.logs())")

        let stopped = ContinuousClock.now
        let status = await workers.stop(worker, timeout: .seconds(20))
        #expect(status == 0, "the worker did not exit on SIGTERM (status \(String(describing: status))):\n\(workers.logs())")
        #expect(ContinuousClock.now - stopped < .seconds(15))
        for id in ids {
            #expect(try await state(id) == .available, "job \(id) was not released on shutdown")
        }
        try await store.destroySchema()
        try await store.close()
    }
}
