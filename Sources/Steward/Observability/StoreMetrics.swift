import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Publishes what the store holds as gauges, read every `interval` (never per scrape):
/// `steward_queue_depth{queue,state}` and `steward_queue_oldest_age_seconds{queue}` (0 when
/// nothing waits).
public struct StoreMetrics: Service {
    let store: any JobStore
    let interval: Duration
    let logger: Logger

    /// Creates the service; `serve` runs it beside the HTTP API.
    public init(store: any JobStore, interval: Duration = .seconds(5), logger: Logger) {
        self.store = store
        self.interval = interval
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
