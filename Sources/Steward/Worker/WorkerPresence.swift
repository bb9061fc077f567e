import Foundation

/// A worker process as it last reported itself: written when it starts, every
/// ``WorkerPresence/interval`` while it runs, and when it stops. `steward worker list`,
/// `GET /api/v1/workers` and the dashboard's Workers page read it (as ``WorkerView``).
public struct WorkerPresence: Codable, Sendable, Equatable {
    /// A queue the worker takes jobs from, and how many it runs at once.
    public struct Queue: Codable, Sendable, Equatable {
        /// The queue's name.
        public var name: String
        /// Jobs of it the worker runs at once.
        public var concurrency: Int

        /// Creates a queue entry.
        public init(name: String, concurrency: Int) {
            self.name = name
            self.concurrency = concurrency
        }
    }

    /// How often a running worker reports: seldom enough that an idle worker's writes cost
    /// nothing to speak of, often enough that a dead one shows as gone within half a minute.
    public static let interval: Duration = .seconds(10)

    /// The worker's id (``Worker/id``; also the lease owner of the jobs it runs).
    public var id: String
    /// The host it runs on.
    public var host: String
    /// Its process id on that host.
    public var pid: Int
    /// The queues it takes jobs from.
    public var queues: [Queue]
    /// Jobs it was running at its last report.
    public var running: Int
    /// When it started.
    public var startedAt: Date
    /// Its last report.
    public var lastHeartbeatAt: Date
    /// Seconds between its reports (a reader calls it gone after three missed).
    public var intervalSeconds: Double
    /// Set by a worker that stopped cleanly.
    public var stoppedAt: Date?

    /// Creates a report.
    public init(
        id: String, host: String, pid: Int, queues: [Queue], running: Int, startedAt: Date, lastHeartbeatAt: Date,
        intervalSeconds: Double = WorkerPresence.interval.seconds, stoppedAt: Date? = nil
    ) {
        self.id = id
        self.host = host
        self.pid = pid
        self.queues = queues
        self.running = running
        self.startedAt = startedAt
        self.lastHeartbeatAt = lastHeartbeatAt
        self.intervalSeconds = intervalSeconds
        self.stoppedAt = stoppedAt
    }

    /// Where a worker is, as seen at `now`.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Reporting.
        case online
        /// Stopped cleanly.
        case stopped
        /// Silent for three reports or more without saying it stopped (killed, host down, cut off).
        case gone
    }

    /// Its state at `now`.
    public func state(at now: Date) -> State {
        if stoppedAt != nil { return .stopped }
        return now.timeIntervalSince(lastHeartbeatAt) > 3 * intervalSeconds ? .gone : .online
    }
}

/// A store that keeps worker presence (both of Steward's stores).
public protocol WorkerPresenceStore: JobStore {
    /// Writes `presence` in place of the worker's last, and forgets every worker (this one
    /// excepted) whose last report is older than `forgetBefore`, in one transaction.
    func recordWorker(_ presence: WorkerPresence, forgetBefore: Date) async throws

    /// Every worker remembered, in no particular order.
    func workers() async throws -> [WorkerPresence]
}
