import Foundation
import Logging
import Steward
@testable import StewardPostgres
import Synchronization
import Testing

/// A code run's end on PostgreSQL is one statement decided from what the attempt read at its
/// start (`DurableEndIfUnchanged`), checked under the run's lock; a change since — by another
/// process, which the store instance driving the run cannot know of — sends it down the locked
/// path, which decides again. Jobs that wait for the driver are released by that one statement
/// (the transition statement releases children). Two store instances stand for two processes.
@Suite("PostgreSQL: a code run's end in one statement, and its fallback", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresDurableEndTests {
    /// One step, then `between` (what another process does meanwhile), then the end.
    struct Probe: DurableWorkflow {
        static let name = "probe.end"
        let between: @Sendable (String) async throws -> Void
        func run(context: DurableContext, input: Int) async throws -> Int {
            let doubled = try await context.step("double") { input * 2 }
            try await between(context.runID)
            return doubled
        }
    }

    /// Two instances on one fresh schema: `a` drives, `b` is "another process".
    func stores() async throws -> (a: PostgresJobStore, b: PostgresJobStore) {
        let a = try PostgresTestDatabase.makeStore()
        try await a.migrate()
        let b = try PostgresJobStore(url: PostgresTestDatabase.url(for: a))
        return (a, b)
    }

    /// Starts run `id` on `a` and runs its driver job once there, as a worker would.
    func drive(_ a: PostgresJobStore, id: String, between: @escaping @Sendable (String) async throws -> Void) async throws -> JobID {
        let registry = JobRegistry()
        registry.register(Probe(between: between))
        let client = StewardClient(store: a)
        _ = try await client.start(Probe.self, input: 21, id: id)
        let now = Date()
        let claimed = try await a.claim(queue: "default", names: nil, limit: 1, owner: "w", leaseUntil: now.addingTimeInterval(30), now: now)
        let r = try #require(claimed.first).record
        let context = JobContext(
            id: r.id, name: r.name, queue: r.queue, attempt: r.attempt, maxAttempts: r.maxAttempts, metadata: r.metadata,
            payload: r.payload, enqueuedAt: r.createdAt, workerID: "w", logger: Logger(label: "test"), client: client)
        // The driver writes the run's end and the job's success itself, and says so.
        await #expect(throws: JobOutcomeWritten.self) { _ = try await registry.handler(for: r.name)!(r.payload, context) }
        return r.id
    }

    @Test("nothing changed since the attempt read the run: one statement ends the run, its execution and its job")
    func oneStatement() async throws {
        let (a, b) = try await stores()
        let job = try await drive(a, id: "plain") { _ in }
        #expect(a.endBases.oneStatementEnds.load(ordering: .relaxed) == 1)
        #expect(a.endBases.count == 0)
        let run = try #require(try await b.durableRun("plain"))
        #expect(run.state == .succeeded)
        #expect(run.output == "42")
        #expect(try await b.job(job, now: Date())?.state == .succeeded)
        let execution = try #require(try await b.pipelineExecutions(PipelineExecutionFilter(limit: 10)).first { $0.workflowRun == "plain" })
        #expect(execution.state == .succeeded)
        #expect(execution.metrics["steps"] == 1)
        try await a.close()
        try await b.close()
    }

    @Test("a cancel requested by another process after the attempt read the run is kept: the end takes the locked path")
    func changedRecord() async throws {
        let (a, b) = try await stores()
        let other = StewardClient(store: b)
        _ = try await drive(a, id: "cancelled-meanwhile") { run in _ = try await other.cancel(run: run) }
        #expect(a.endBases.oneStatementEnds.load(ordering: .relaxed) == 0)
        let run = try #require(try await b.durableRun("cancelled-meanwhile"))
        // The function returned before a step boundary saw the cancel: the run succeeded, and the
        // request another process recorded is still there (an end decided from the old record
        // would have written it away).
        #expect(run.state == .succeeded)
        #expect(run.cancelRequested)
        try await a.close()
        try await b.close()
    }

    @Test("a job that waits for the driver (enqueued by another process meanwhile) is released by the same one statement")
    func waitingChild() async throws {
        let (a, b) = try await stores()
        let child = Mutex<JobID?>(nil)
        _ = try await drive(a, id: "with-child") { run in
            let driver = try #require(try await b.durableRun(run)?.job)
            var job = NewJob(queue: "other", name: "after-the-run")
            job.dependsOn = [driver]
            let enqueued = try await b.enqueue([job], now: Date())[0].id
            child.withLock { $0 = enqueued }
        }
        #expect(a.endBases.oneStatementEnds.load(ordering: .relaxed) == 1)
        #expect(try await b.durableRun("with-child")?.state == .succeeded)
        let id = try #require(child.withLock { $0 })
        #expect(try await b.job(id, now: Date())?.state == .available)
        try await a.close()
        try await b.close()
    }
}
