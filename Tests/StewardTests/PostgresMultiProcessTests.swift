import Foundation
import Steward
import StewardPostgres
import Testing

/// Many worker processes on one PostgreSQL database: kills, restarts of the workers and of the
/// database itself. Uses the cluster scripts/test starts (CI=true makes its absence a failure).
@Suite("Multi-process workers on PostgreSQL", .serialized, .enabled(if: PostgresTestDatabase.enabled))
struct PostgresMultiProcessTests {
    let store: PostgresJobStore
    let workers: WorkerProcesses

    init() async throws {
        store = try PostgresTestDatabase.makeStore()
        try await store.migrate()
        workers = try WorkerProcesses(storeURL: PostgresTestDatabase.url(for: store))
    }

    func succeeded() async throws -> Int {
        try await store.queueStats("mp", now: Date()).counts["succeeded"] ?? 0
    }

    @Test("3 workers drain 20,000 jobs while random workers are SIGKILLed and restarted: none is lost")
    func killsDuringDrain() async throws {
        let flags = ["--lease", "2s", "--rescue-interval", "500ms"]
        // All jobs first, then the workers: the kills must land in the middle of the drain.
        try await workers.enqueue(20_000, sleepMs: 2, into: store)
        var procs = try (0..<3).map { try workers.spawn("w\($0)", extra: flags) }
        var kills = 0
        var rng = SystemRandomNumberGenerator()
        while try await succeeded() < 15_000, kills < 6 {
            try await Task.sleep(for: .milliseconds(400))
            let victim = Int.random(in: 0..<3, using: &rng)
            await workers.kill9(procs[victim])
            kills += 1
            procs[victim] = try workers.spawn("w\(victim)", extra: flags)
        }
        #expect(kills >= 2, "the drain finished after \(kills) kills; the test proves little")
        let drained = try await eventually(timeout: .seconds(180)) { try await succeeded() == 20_000 }
        var statuses: [Int32?] = []
        for p in procs { statuses.append(await workers.stop(p)) }
        let done = try await succeeded()
        #expect(drained, "only \(done) of 20000 succeeded; logs:\n\(workers.logs())")
        #expect(statuses.allSatisfy { $0 == 0 }, "workers did not exit cleanly: \(statuses)")
        let counts = try workers.lines()
        #expect(Set(counts.keys) == Set((0..<20_000).map(String.init)), "some jobs never ran")
        let duplicates = counts.values.reduce(0) { $0 + $1 - 1 }
        print("postgres kill test: \(kills) SIGKILLs; \(duplicates) of 20000 jobs ran twice (at-least-once)")
        // A kill can repeat the jobs whose handler finished but whose outcome was not committed:
        // the 8 running plus one completion flush (at most 256 under load) per killed worker.
        #expect(duplicates <= kills * (8 + 256), "\(duplicates) duplicates for \(kills) kills")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("3 workers drain 10,000 jobs with no kills: every job runs exactly once")
    func cleanDrain() async throws {
        try await workers.enqueue(10_000, sleepMs: 0, into: store)
        let procs = try (0..<3).map { try workers.spawn("w\($0)") }
        let drained = try await eventually(timeout: .seconds(120)) { try await succeeded() == 10_000 }
        var statuses: [Int32?] = []
        for p in procs { statuses.append(await workers.stop(p)) }
        let done = try await succeeded()
        #expect(drained, "only \(done) of 10000 succeeded; logs:\n\(workers.logs())")
        #expect(statuses.allSatisfy { $0 == 0 }, "workers did not exit cleanly: \(statuses)")
        let counts = try workers.lines()
        #expect(Set(counts.keys) == Set((0..<10_000).map(String.init)), "some jobs never ran")
        let repeated = counts.filter { $0.value > 1 }
        #expect(repeated.isEmpty, "\(repeated.count) jobs ran more than once without any failure: \(repeated.prefix(5))")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("two scheduler processes: the active one is killed, the other takes over, no instant fires twice")
    func schedulerHandOver() async throws {
        try await workers.checkSchedulerHandOver(on: store, label: "postgres")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("a workflow survives SIGKILLs of the workers running its tasks")
    func workflowCrash() async throws {
        try await workers.checkWorkflowCrash(on: store, label: "postgres")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("a code workflow survives SIGKILLs inside a step and while it sleeps")
    func durableCrash() async throws {
        try await workers.checkDurableCrash(on: store, label: "postgres")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("1,000 parents finished by 3 worker processes release their child exactly once")
    func fanIn() async throws {
        try await workers.checkFanIn(on: store, label: "postgres")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("3 processes sharing a global 100/s rate limit stay within it")
    func globalRateLimit() async throws {
        try await workers.checkGlobalRateLimit(on: store, label: "postgres")
        try await store.destroySchema()
        try await store.close()
    }

    @Test("PostgreSQL restarted during a drain: workers reconnect and every job finishes")
    func databaseRestart() async throws {
        let restart = try #require(
            ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_RESTART"],
            "scripts/test exports STEWARD_TEST_POSTGRES_RESTART")
        let procs = try (0..<2).map { try workers.spawn("w\($0)", extra: ["--lease", "5s", "--rescue-interval", "1s"]) }
        try await workers.enqueue(5_000, sleepMs: 2, into: store)
        #expect(try await eventually(timeout: .seconds(60)) { try await succeeded() >= 500 })
        #expect(runShell(restart) == 0, "restarting PostgreSQL failed")
        let reachable = await eventually(timeout: .seconds(30)) { (try? await succeeded()) != nil }
        #expect(reachable, "the database did not come back")
        let drained = await eventually(timeout: .seconds(180)) { ((try? await succeeded()) ?? 0) == 5_000 }
        var statuses: [Int32?] = []
        for p in procs { statuses.append(await workers.stop(p)) }
        let done = (try? await succeeded()) ?? -1
        #expect(drained, "only \(done) of 5000 succeeded after the restart; logs:\n\(workers.logs())")
        #expect(statuses.allSatisfy { $0 == 0 }, "workers did not survive the restart: \(statuses)")
        #expect(Set(try workers.lines().keys) == Set((0..<5_000).map(String.init)), "some jobs never ran")
        try await store.destroySchema()
        try await store.close()
    }
}

/// Runs `command` with /bin/sh and waits for it; returns its exit status. Foundation's Process
/// never observed this command's exit here (isRunning stayed true), so spawn and reap directly.
func runShell(_ command: String) -> Int32 {
    var pid: pid_t = 0
    let words: [String] = ["/bin/sh", "-c", command]
    var args: [UnsafeMutablePointer<CChar>?] = words.map { word in word.withCString { strdup($0) } } + [nil]
    defer { for arg in args { free(arg) } }
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &args, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xff
}
