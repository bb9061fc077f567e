import Foundation

/// A worker process (`steward worker list --json`, `GET /api/v1/workers`, the dashboard).
public struct WorkerView: Encodable, Sendable, Equatable {
    /// A queue it takes jobs from.
    public struct Queue: Encodable, Sendable, Equatable {
        /// The queue's name.
        public var name: String
        /// Jobs of it the worker runs at once.
        public var concurrency: Int
    }

    /// Its id (the lease owner of the jobs it runs).
    public var id: String
    /// The host it runs on.
    public var host: String
    /// Its process id on that host.
    public var pid: Int
    /// The queues it takes jobs from.
    public var queues: [Queue]
    /// Jobs running at its last report.
    public var running: Int
    /// `online`, `stopped` (cleanly) or `gone` (silent for three reports).
    public var state: String
    /// When it started (ISO-8601, UTC).
    public var startedAt: String
    /// Its last report.
    public var lastHeartbeatAt: String
    /// Seconds since its last report.
    public var lastHeartbeatAgeSeconds: Double
    /// When it stopped cleanly.
    @Nullable public var stoppedAt: String?

    var presenceState: WorkerPresence.State { WorkerPresence.State(rawValue: state) ?? .gone }

    enum CodingKeys: String, CodingKey {
        case id, host, pid, queues, running, state, startedAt = "started_at", lastHeartbeatAt = "last_heartbeat_at",
            lastHeartbeatAgeSeconds = "last_heartbeat_age_seconds", stoppedAt = "stopped_at"
    }

    /// The view of `p` as seen at `now`.
    public init(_ p: WorkerPresence, now: Date) {
        id = p.id
        host = p.host
        pid = p.pid
        queues = p.queues.map { Queue(name: $0.name, concurrency: $0.concurrency) }
        running = p.running
        state = p.state(at: now).rawValue
        startedAt = p.startedAt.iso8601UTC
        lastHeartbeatAt = p.lastHeartbeatAt.iso8601UTC
        lastHeartbeatAgeSeconds = (max(0, now.timeIntervalSince(p.lastHeartbeatAt)) * 1000).rounded() / 1000
        stoppedAt = p.stoppedAt?.iso8601UTC
    }
}
