import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Steward
import Synchronization

/// `GET /api/v1/events`: server-sent events that say the store changed, so the dashboard
/// re-reads at once instead of waiting for its next poll.
extension StewardAPI {
    /// Changes closer together than this go out as one event: a burst of a thousand jobs is one
    /// re-read, not a thousand.
    static let eventCoalescing: Duration = .milliseconds(250)
    /// A comment line this often keeps proxies from closing a quiet stream.
    static let eventKeepAlive: Duration = .seconds(15)
    /// A stream ends after this long and the client opens a new one, so no connection (or the
    /// token that opened it) lives forever.
    static let eventStreamLifetime: Duration = .seconds(300)

    func addEventRoutes(_ api: RouterGroup<StewardRequestContext>) {
        api.get("events") { _, _ -> Response in
            let store = self.store
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
                body: ResponseBody { writer in
                    try await Self.streamChanges(from: store, to: &writer)
                })
        }
    }

    /// Writes `event: change` with the queues that changed (`*`: any) whenever jobs are enqueued,
    /// made due or finish, at most one per ``eventCoalescing``; a keep-alive comment when quiet.
    /// Ends at ``eventStreamLifetime``, when the client goes away (a write fails) or at shutdown.
    static func streamChanges(from store: any StewardStore, to writer: inout any ResponseBodyWriter) async throws {
        let changed = ChangedQueues()
        let (ticks, tick) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(8))
        let feeders = [store.wakeups(), store.finishedJobs()].map { stream in
            Task {
                for await queue in stream {
                    changed.queues.withLock { _ = $0.insert(queue) }
                    tick.yield(true)
                }
            }
        }
        let deadline = ContinuousClock.now + eventStreamLifetime
        // `false` asks for a keep-alive; the stream's end, for the response's.
        let clock = Task {
            while ContinuousClock.now < deadline, !Task.isCancelled {
                try? await Task.sleep(for: min(eventKeepAlive, deadline - ContinuousClock.now))
                tick.yield(false)
            }
            tick.finish()
        }
        defer {
            clock.cancel()
            for f in feeders { f.cancel() }
            tick.finish()
        }
        try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
        // A server shutting down ends the stream (it would otherwise hold the shutdown up to
        // the stream's lifetime); the client reconnects to whichever server answers.
        try await withGracefulShutdownHandler {
            try await forward(ticks, changed, to: &writer)
        } onGracefulShutdown: {
            tick.finish()
        }
        try await writer.finish(nil)
    }

    private static func forward(_ ticks: AsyncStream<Bool>, _ changed: ChangedQueues, to writer: inout any ResponseBodyWriter) async throws {
        for await isChange in ticks {
            guard !Task.isCancelled else { break }
            guard isChange else {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                continue
            }
            // Gather what else changes in the coalescing window, then say it once.
            try? await Task.sleep(for: eventCoalescing)
            let queues = changed.queues.withLock { set -> [String] in
                defer { set.removeAll() }
                return set.contains(WakeupHub.anyQueue) ? [WakeupHub.anyQueue] : set.sorted()
            }
            guard !queues.isEmpty else { continue }
            let data = JSONValue.object(["queues": .array(queues.map { .string($0) })]).jsonText
            try await writer.write(ByteBuffer(string: "event: change\ndata: \(data)\n\n"))
        }
    }
}

/// The queues that changed since the last event of one stream.
private final class ChangedQueues: Sendable {
    let queues = Mutex(Set<String>())
}
