import Foundation
import Steward
import StewardSQLite
import StoreConformance
import Testing

/// What only the SQLite store has: its URL, durability setting and the file surviving restarts.
@Suite("SQLite store specifics")
struct SQLiteStoreTests {
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

    @Test("malformed store URLs are refused with the offending part named", arguments: ["postgres://x", "sqlite:", "sqlite:/a.db?sync=full", "sqlite:/a.db?synchronous=off"])
    func rejectsURL(url: String) {
        #expect(throws: StewardError.self) { try SQLiteJobStore.parse(url: url) }
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
        #expect(try await second.claim(queue: "q", limit: 10, owner: "w", leaseUntil: Date().addingTimeInterval(30), now: Date()).isEmpty)
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
        let claimed = try await store.claim(queue: "default", limit: 2, owner: "w", leaseUntil: clock.now().addingTimeInterval(30), now: clock.now())
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
        #expect(lost.state == .available, "the expired lease was rescued")
        try await store.close()
    }
}
