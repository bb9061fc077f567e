import Foundation
import GRDB
import Steward
import StewardSQLite
import StoreConformance
import Testing

/// What only the SQLite store has: its URL, durability setting and the file surviving restarts.
@Suite("SQLite store specifics")
struct SQLiteStoreTests {
    /// A raw connection that waits out the store's own (closing) connections instead of failing.
    static var patient: Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        return config
    }

    func temporaryPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("steward.db").path
    }

    @Test("a hand-edited row with a malformed value is an error naming the job and column, not a trap")
    func malformedRow() async throws {
        let path = try temporaryPath()
        let store = try SQLiteJobStore(path: path)
        try await store.migrate()
        let id = try await store.enqueue([NewJob(name: "x")], now: Date())[0].id
        try await store.close()
        let raw = try DatabaseQueue(path: path, configuration: Self.patient)
        try await raw.write { try $0.execute(sql: "UPDATE steward_jobs SET run_at = 'abc' WHERE id = ?", arguments: [id.rawValue]) }
        try raw.close()
        let reopened = try SQLiteJobStore(path: path)
        await #expect {
            _ = try await reopened.job(id, now: Date())
        } throws: { "\($0)".contains("job \(id): column run_at holds \"abc\"") }
        await #expect {
            _ = try await reopened.jobs(JobFilter(), now: Date())
        } throws: { "\($0)".contains("column run_at") }
        try await reopened.close()
    }

    @Test("another application's SQLite file is refused and left exactly as it was (no WAL switch)")
    func foreignFile() async throws {
        let path = try temporaryPath()
        let raw = try DatabaseQueue(path: path, configuration: Self.patient)
        try await raw.write { try $0.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1)") }
        try raw.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try SQLiteJobStore(path: path)
        } throws: { "\($0)".contains("is another application's SQLite database (tables: users)") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let check = try DatabaseQueue(path: path, configuration: Self.patient)
        #expect(try await check.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "delete")
        try check.close()
    }

    @Test("the WAL stays bounded: past its limit it is checkpointed, restarted and truncated back")
    func boundedWAL() async throws {
        let path = try temporaryPath()
        let store = try SQLiteJobStore(path: path)
        try await store.migrate()
        // About 48 MiB of payloads, in batches: far past the 16 MiB limit.
        let payload = "{\"blob\":\"" + String(repeating: "x", count: 96 * 1024) + "\"}"
        for _ in 0..<16 {
            _ = try await store.enqueue((0..<32).map { _ in NewJob(name: "big", payload: payload) }, now: Date())
        }
        func walSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 }
        // The writer that starts the WAL over truncates it: keep writing a little.
        let bounded = await eventually(timeout: .seconds(20)) {
            _ = try? await store.enqueue([NewJob(name: "small")], now: Date())
            return walSize() <= Int(SQLiteJobStore.walLimit)
        }
        #expect(bounded, "the WAL is \(walSize()) bytes")
        #expect(try await store.queueStats("default", now: Date()).counts["available"] ?? 0 > 512)
        try await store.close()
    }

    @Test("a read-only store lists and reads without writing anything; writes are refused")
    func readOnly() async throws {
        let path = try temporaryPath()
        let store = try SQLiteJobStore(path: path)
        try await store.migrate()
        let id = try await store.enqueue([NewJob(name: "x")], now: Date())[0].id
        try await store.close()
        // `close()` returns with every connection closed; the last one checkpointed and removed
        // the WAL: from then on the file is what the reader must leave untouched.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try SQLiteJobStore(url: "sqlite:\(path)?mode=ro")
        #expect(reader.readOnly)
        try await reader.migrate()
        #expect(try await reader.jobs(JobFilter(), now: Date()).map(\.id) == [id])
        #expect(try await reader.queueStats("default", now: Date()).counts["available"] == 1)
        await #expect(throws: (any Error).self) { _ = try await reader.enqueue([NewJob(name: "y")], now: Date()) }
        try await reader.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(
        "store URLs parse into a path and a durability setting",
        arguments: [
            ("sqlite:./steward.db", "./steward.db", SQLiteJobStore.Synchronous.normal),
            ("sqlite:///var/lib/steward.db", "/var/lib/steward.db", .normal),
            ("sqlite:/tmp/a.db?synchronous=full", "/tmp/a.db", .full),
            ("sqlite:/tmp/a.db?synchronous=NORMAL", "/tmp/a.db", .normal),
        ])
    func parsesURL(url: String, path: String, synchronous: SQLiteJobStore.Synchronous) throws {
        let parsed = try SQLiteJobStore.parse(url: url)
        #expect(parsed.path == path)
        #expect(parsed.synchronous == synchronous)
    }

    @Test(
        "malformed store URLs are refused with the offending part named",
        arguments: [
            ("postgres://x", "'postgres://x' is not a SQLite URL"), ("sqlite:", "'sqlite:' has no file path"),
            ("sqlite:/a.db?sync=full", "unknown option 'sync=full'"), ("sqlite:/a.db?synchronous=off", "unknown option 'synchronous=off'"),
            ("sqlite:/a.db?mode=rwx", "unknown option 'mode=rwx'"),
        ])
    func rejectsURL(url: String, message: String) {
        #expect {
            try SQLiteJobStore.parse(url: url)
        } throws: { "\($0)".contains(message) }
    }

    @Test("pause state, jobs and queue settings survive closing and reopening the file")
    func survivesRestart() async throws {
        let first = try makeTemporarySQLiteStore(synchronous: .full)
        let path = first.path
        try await first.migrate()
        try await first.configureQueues([QueueSettings(name: "q", maxDepth: 5, maxAttempts: 7)])
        let id = try await first.enqueue([NewJob(queue: "q", name: "x")], now: Date())[0].id
        try await first.setPaused(true, queue: "q")
        try await first.close()

        let second = try SQLiteJobStore(path: path)
        try await second.migrate()
        #expect(try await second.queueStats("q", now: Date()).paused)
        #expect(try await second.claim(queue: "q", names: nil, limit: 10, owner: "w", leaseUntil: Date().addingTimeInterval(30), now: Date()).isEmpty)
        let record = try #require(try await second.job(id, now: Date()))
        #expect(record.maxAttempts == 7)
        #expect(try await second.queues().first { $0.name == "q" }?.settings?.maxDepth == 5)
        try await second.close()
    }

    @Test("a process sees jobs another connection commits to the file through its wake-up stream")
    func crossConnectionWakeup() async throws {
        let a = try makeTemporarySQLiteStore()
        try await a.migrate()
        let b = try SQLiteJobStore(path: a.path)
        // The first subscription starts the watcher; its first reading may wake once by itself.
        _ = await StoreConformance.waitForWakeup(b.wakeups(), queue: WakeupHub.anyQueue, timeout: .milliseconds(300))
        // A later subscriber is woken only by a change: the other connection's commit.
        let stream = b.wakeups()
        _ = try await a.enqueue([NewJob(name: "x")], now: Date())
        let woke = await StoreConformance.waitForWakeup(stream, queue: WakeupHub.anyQueue, timeout: .seconds(5))
        #expect(woke, "no wake-up from another connection's commit within 5 s")
        try await a.close()
        try await b.close()
    }
}

@Suite("Maintenance")
struct MaintenanceTests {
    @Test("only the holder of the maintenance lease rescues and purges; retention decides what is purged")
    func leaseAndRetention() async throws {
        let store = try makeTemporarySQLiteStore()
        try await store.migrate()
        let clock = ManualClock(Date())
        let ids = try await store.enqueue([NewJob(name: "old"), NewJob(name: "lost")], now: clock.now()).map(\.id)
        let claimed = try await store.claim(queue: "default", names: nil, limit: 2, owner: "w", leaseUntil: clock.now().addingTimeInterval(30), now: clock.now())
        let old = try #require(claimed.first { $0.record.id == ids[0] })
        try await store.complete([JobOutcome(id: old.record.id, owner: "w", startedAt: clock.now(), kind: .succeeded(result: nil))], now: clock.now())

        let config = Maintenance.Configuration(rescueInterval: .seconds(5), retention: .seconds(3600), owner: "m1")
        let m1 = Maintenance(store: store, configuration: config, clock: clock)
        let m2 = Maintenance(store: store, configuration: Maintenance.Configuration(retention: .seconds(3600), owner: "m2"), clock: clock)
        #expect(try await m1.runOnce(purge: true))
        #expect(try await !m2.runOnce(purge: true), "a second process must not act while the first holds the lease")
        #expect(try await store.job(ids[0], now: clock.now()) != nil, "within retention")

        clock.advance(by: .seconds(3601))
        #expect(try await m1.runOnce(purge: true))
        #expect(try await store.job(ids[0], now: clock.now()) == nil, "purged after retention")
        let lost = try #require(try await store.job(ids[1], now: clock.now()))
        #expect(lost.state == .scheduled, "the expired lease was rescued, to run again after its backoff")
        #expect(lost.lastError?.type == "LeaseExpired")
        try await store.close()
    }
}
