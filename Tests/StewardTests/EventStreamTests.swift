import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Steward
@testable import StewardHTTP
import StewardSQLite
import Synchronization
import Testing

/// `GET /api/v1/events`: what the stream writes when jobs are enqueued and finish.
@Suite("Server-sent events")
struct EventStreamTests {
    /// Keeps each written chunk for the test.
    struct Collect: ResponseBodyWriter {
        let chunks: Chunks
        mutating func write(_ buffer: ByteBuffer) async throws { chunks.list.withLock { $0.append(String(buffer: buffer)) } }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws { chunks.list.withLock { $0.append("<end>") } }
    }

    final class Chunks: Sendable {
        let list = Mutex<[String]>([])

        /// The chunks written after the first `from`, once `done` holds for them (nil after 10 s).
        func wait(from: Int, until done: ([String]) -> Bool) async -> [String]? {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let now = list.withLock { Array($0.dropFirst(from)) }
                if done(now) { return now }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }

        var count: Int { list.withLock { $0.count } }
    }

    /// The queues a `change` event names.
    static func queues(_ chunk: String) -> Set<String>? {
        guard chunk.hasPrefix("event: change\ndata: "), chunk.hasSuffix("\n\n"),
            case .object(let o)? = JSONValue(parsing: String(chunk.dropFirst(20).dropLast(2))), case .array(let names)? = o["queues"]
        else { return nil }
        return Set(names.compactMap { if case .string(let s) = $0 { s } else { nil } })
    }

    @Test("the stream says `connected`, then a coalesced `change` event for a burst of enqueues (their queues, or `*`), one for their finish; it ends when cancelled")
    func changes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("events.db").path)
        try await store.migrate()
        let chunks = Chunks()
        let streaming = Task {
            var writer: any ResponseBodyWriter = Collect(chunks: chunks)
            try await StewardAPI.streamChanges(from: store, to: &writer)
        }
        #expect(await chunks.wait(from: 0) { !$0.isEmpty }?.first == "retry: 2000\n: connected\n\n")
        // A burst of 50 enqueues in two queues: one event (a commit seen by the store's file
        // watcher says `*`, any queue, and may come as a second event).
        let now = Date()
        _ = try await store.enqueue((0..<50).map { NewJob(queue: $0 % 2 == 0 ? "mail" : "reports", name: "x") }, now: now)
        let burst = await chunks.wait(from: 1) { !$0.isEmpty }
        let first = try #require(burst?.first.flatMap(Self.queues), "\(String(describing: burst))")
        #expect(first == ["mail", "reports"] || first == ["*"], "\(first)")
        try await Task.sleep(for: .milliseconds(600))
        let afterBurst = chunks.count
        #expect(afterBurst <= 3, "\(chunks.list.withLock { $0 })")

        let claimed = try await store.claim(queue: "mail", names: nil, limit: 100, owner: "w", leaseUntil: now.addingTimeInterval(60), now: now)
        #expect(claimed.count == 25)
        _ = try await store.complete(claimed.map { JobOutcome(id: $0.record.id, owner: "w", startedAt: now, kind: .succeeded(result: nil)) }, now: now)
        let done = await chunks.wait(from: afterBurst) { $0.contains { Self.queues($0) != nil } }
        #expect(done?.compactMap(Self.queues).first.map { $0 == ["mail"] || $0 == ["*"] } == true, "\(String(describing: done))")

        streaming.cancel()
        _ = try? await streaming.value
        #expect(chunks.list.withLock { $0.last } == "<end>", "the stream did not end when cancelled")
        try await store.close()
    }
}

@Suite("Activity cache")
struct ActivityCacheTests {
    final class Loads: Sendable { let count = Mutex(0) }

    @Test("/api/v1/activity answers a second ask within the second from the copy, and each window separately")
    func cached() async throws {
        let cache = ActivityCache()
        let loads = Loads()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-activity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("a.db").path)
        try await store.migrate()
        let admin = JobAdmin(store: store)
        func read(_ minutes: Int) async throws -> ActivityView {
            try await cache.read(minutes: minutes) {
                loads.count.withLock { $0 += 1 }
                return try await admin.activity(minutes: minutes)
            }
        }
        let first = try await read(60)
        _ = try await store.enqueue([NewJob(name: "x")], now: Date())
        let second = try await read(60)
        #expect(second == first, "the second ask within the second was read again")
        #expect(loads.count.withLock { $0 } == 1)
        let other = try await read(5)
        #expect(other.minutes.count == 5 && other.enqueued == 1)
        #expect(loads.count.withLock { $0 } == 2)
        try await store.close()
    }
}
