import Foundation
import Steward
import StewardPostgres
import Testing

/// PostgreSQL stopped under a running worker. Stops the shared test cluster, so scripts/test runs
/// it alone, after everything else (its name holds "Outage").
@Suite("PostgreSQL outage", .serialized, .enabled(if: PostgresTestDatabase.enabled))
struct PostgresOutageTests {
    @Test("a worker whose pool was replaced (a call stuck past its deadline), then saw the server stop, recovers and still stops on SIGTERM, releasing its jobs")
    func sigtermAfterPoolReplaced() async throws {
        let env = ProcessInfo.processInfo.environment
        let stop = try #require(env["STEWARD_TEST_POSTGRES_STOP"], "scripts/test exports STEWARD_TEST_POSTGRES_STOP")
        let start = try #require(env["STEWARD_TEST_POSTGRES_START"], "scripts/test exports STEWARD_TEST_POSTGRES_START")
        let store = try PostgresJobStore(url: PostgresTestDatabase.url(for: try PostgresTestDatabase.makeStore(), callTimeout: "2s"))
        try await store.migrate()
        let workers = try WorkerProcesses(storeURL: PostgresTestDatabase.url(for: store, callTimeout: "2s"))
        let worker = try workers.spawn(
            "w", concurrency: 4, extra: ["--lease", "5s", "--rescue-interval", "1s", "--shutdown-grace", "1s"])
        func state(_ id: JobID) async throws -> JobState? { try await store.job(id, now: Date())?.state }

        let before = try await store.enqueue([NewJob(queue: "mp", name: "steward.noop")], now: Date())[0].id
        #expect(try await eventually(timeout: .seconds(20)) { try await state(before) == .succeeded })
        // A call stuck on its connection past its 2 s deadline (the jobs table locked for 6 s):
        // the worker replaces its pool.
        let base = try #require(PostgresTestDatabase.url)
        let table = "\"\(store.configuration.schema)\".steward_jobs"
        #expect(runShell("psql '\(base)' -q -c 'BEGIN; LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;' >/dev/null") == 0)
        #expect(workers.logs().contains("replacing the connection pool"), "the pool was never replaced:\n\(workers.logs())")
        // Then the server stops for longer than the deadline: calls wait for a connection, fail,
        // and are retried; the pool reconnects once the server is back.
        #expect(runShell(stop) == 0, "stopping PostgreSQL failed")
        try await Task.sleep(for: .seconds(6))
        #expect(runShell(start) == 0, "starting PostgreSQL failed")

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

    @Test("a code workflow's run survives PostgreSQL restarted mid-run: finished steps do not run again, the run succeeds")
    func durableRunAcrossRestart() async throws {
        let env = ProcessInfo.processInfo.environment
        let stop = try #require(env["STEWARD_TEST_POSTGRES_STOP"], "scripts/test exports STEWARD_TEST_POSTGRES_STOP")
        let start = try #require(env["STEWARD_TEST_POSTGRES_START"], "scripts/test exports STEWARD_TEST_POSTGRES_START")
        let url = PostgresTestDatabase.url(for: try PostgresTestDatabase.makeStore(), callTimeout: "2s")
        let store = try PostgresJobStore(url: url)
        try await store.migrate()
        let workers = try WorkerProcesses(storeURL: url)
        let worker = try workers.spawn("durable", concurrency: 2, extra: ["--lease", "5s", "--rescue-interval", "1s"])
        let input = #"{"file":"\#(workers.outPath)","steps":5,"sleepMs":700}"#
        let run = try await StewardClient(store: store).start(workflow: "steward.durable.steps", queue: workers.queue, input: input, id: "outage")
        #expect(try await eventually(timeout: .seconds(30)) { (try workers.lines()["end 2"] ?? 0) >= 1 }, "\(workers.logs())")
        #expect(runShell(stop) == 0, "stopping PostgreSQL failed")
        try await Task.sleep(for: .seconds(4))
        #expect(runShell(start) == 0, "starting PostgreSQL failed")
        #expect(await eventually(timeout: .seconds(30)) { (try? await store.migrate()) != nil }, "the database did not come back")
        let done = try await eventually(timeout: .seconds(90)) { try await store.durableRun(run.id)?.state == .succeeded }
        let seen = try workers.lines()
        let final = try await store.durableRun(run.id)
        #expect(done, "the run did not finish: \(String(describing: final)); lines \(seen); logs:\n\(workers.logs())")
        #expect(try await store.durableRun(run.id)?.output == "15")
        #expect(seen["start 1"] == 1 && seen["start 2"] == 1, "a step finished before the outage ran again: \(seen)")
        #expect((1...5).allSatisfy { (seen["end \($0)"] ?? 0) >= 1 }, "\(seen)")
        #expect(await workers.stop(worker) == 0)
        try await store.destroySchema()
        try await store.close()
    }
}
