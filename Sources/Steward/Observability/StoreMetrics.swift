import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Publishes what the store holds as gauges, read every `interval` (never per scrape):
/// `steward_queue_depth{queue,state}`, `steward_queue_oldest_age_seconds{queue}` (0 when
/// nothing waits) and `steward_workers_active` (worker processes holding a running job, on any
/// machine).
public struct StoreMetrics: Service {
    let store: any JobStore
    let interval: Duration
    let history: QueueHistory?
    let logger: Logger

    /// Creates the service; `serve` runs it beside the HTTP API and keeps the last hour of samples
    /// in `history` (for the dashboard's charts).
    public init(store: any JobStore, interval: Duration = .seconds(5), history: QueueHistory? = nil, logger: Logger) {
        self.store = store
        self.interval = interval
        self.history = history
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await self.refresh() } catch {
                    self.logger.warning("reading queue metrics failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Reads every queue's statistics once and sets the gauges.
    public func refresh() async throws {
        let admin = QueueAdmin(store: store)
        for queue in try await admin.list() {
            let stats = try await admin.stats(queue.name)
            for state in JobState.allCases where !state.isFinished {
                Gauge(label: "steward_queue_depth", dimensions: [("queue", queue.name), ("state", state.rawValue)])
                    .record(stats.counts[state.rawValue] ?? 0)
            }
            Gauge(label: "steward_queue_oldest_age_seconds", dimensions: [("queue", queue.name)]).record(stats.oldestWaitingAgeSeconds ?? 0)
            history?.record(stats, at: Date())
        }
        let running = try await store.jobs(JobFilter(state: .running, limit: 10_000), now: Date())
        Gauge(label: "steward_workers_active").record(Set(running.compactMap(\.leaseOwner)).count)
    }
}

/// The last hour of each queue's statistics, sampled by ``StoreMetrics`` (in memory, per process).
public final class QueueHistory: Sendable {
    /// One sample.
    public struct Sample: Sendable, Encodable, Equatable {
        /// When (ISO 8601).
        public var at: String
        /// Jobs queued (scheduled or available).
        public var depth: Int
        /// Jobs running.
        public var running: Int
        /// Jobs that succeeded in the minute before.
        public var succeededLastMinute: Int
        /// Attempts that failed in the minute before.
        public var failedLastMinute: Int

        enum CodingKeys: String, CodingKey {
            case at, depth, running, succeededLastMinute = "succeeded_last_minute", failedLastMinute = "failed_last_minute"
        }
    }

    let capacity: Int
    private let samples = Mutex<[String: [Sample]]>([:])
    private let latest = Mutex<[String: (stats: QueueStats, at: Date)]>([:])

    /// Keeps at most `capacity` samples per queue (an hour at one per 5 s by default).
    public init(capacity: Int = 720) { self.capacity = capacity }

    func record(_ stats: QueueStats, at date: Date) {
        latest.withLock { $0[stats.queue] = (stats, date) }
        let sample = Sample(
            at: date.iso8601UTC, depth: (stats.counts[JobState.available.rawValue] ?? 0) + (stats.counts[JobState.scheduled.rawValue] ?? 0),
            running: stats.running, succeededLastMinute: stats.succeededLastMinute, failedLastMinute: stats.failedLastMinute)
        samples.withLock { map in
            var list = map[stats.queue] ?? []
            list.append(sample)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
            map[stats.queue] = list
        }
    }

    /// A queue's samples, oldest first.
    public func samples(_ queue: String) -> [Sample] { samples.withLock { $0[queue] ?? [] } }

    /// Every queue's latest statistics when all were sampled within `maxAge` of `now`, by queue
    /// name; `nil` otherwise (nothing sampled yet, or the sampler is failing), so a reader can go
    /// to the store instead of trusting old figures.
    public func latestStats(maxAge: Double, now: Date = Date()) -> [QueueStats]? {
        latest.withLock { map in
            guard !map.isEmpty, map.values.allSatisfy({ now.timeIntervalSince($0.at) <= maxAge }) else { return nil }
            return map.values.map(\.stats).sorted { $0.queue < $1.queue }
        }
    }
}

/// `steward_jobs_enqueued_total{queue}`, counted by the client (every surface enqueues through it)
/// when a metrics backend is bootstrapped.
enum EnqueueMetrics {
    private static let counters = Mutex<[String: Counter]>([:])

    static func record(_ jobs: [NewJob]) {
        guard !(MetricsSystem.factory is NOOPMetricsHandler) else { return }
        var byQueue: [String: Int] = [:]
        for job in jobs { byQueue[job.queue, default: 0] += 1 }
        for (queue, n) in byQueue {
            let counter = counters.withLock { map in
                if let c = map[queue] { return c }
                let c = Counter(label: "steward_jobs_enqueued_total", dimensions: [("queue", queue)])
                map[queue] = c
                return c
            }
            counter.increment(by: n)
        }
    }
}
