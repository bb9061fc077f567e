import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardQuality
import Synchronization

/// The latest windows of each data-quality task `serve` runs, kept in memory for the API
/// (`GET /api/v1/monitors`, `…/{task}/windows`): the newest `capacity` per task, and counts since start.
public final class RecentWindows: Sendable {
    struct Task: Sendable {
        var windows: [JSONValue] = []
        var total = 0
        var failed = 0
        var lastWindowEnd: JSONValue? = nil
    }

    let capacity: Int
    private let tasks = Mutex<[String: Task]>([:])
    private let order: [String]

    /// Creates the store for `tasks` (listed in this order).
    public init(tasks: [String], capacity: Int = 500) {
        self.capacity = capacity
        self.order = tasks
        self.tasks.withLock { map in for t in tasks { map[t] = Task() } }
    }

    /// A sink that records `task`'s windows here.
    public func sink(for task: String) -> any QualitySink { Sink(store: self, task: task) }

    struct Sink: QualitySink {
        let store: RecentWindows
        let task: String
        func write(_ records: [QualityRecord]) async throws { store.add(records, task: task) }
        func finish() async throws {}
    }

    func add(_ records: [QualityRecord], task: String) {
        tasks.withLock { map in
            var t = map[task] ?? Task()
            for r in records {
                var value = JSONValue(parsing: r.jsonLine()) ?? .null
                if case .object(var o) = value {
                    o["passed"] = .bool(r.allPassed)
                    value = .object(o)
                }
                t.windows.append(value)
                t.total += 1
                if !r.allPassed { t.failed += 1 }
                if case .object(let o) = value, let end = o["window_end"] { t.lastWindowEnd = end }
            }
            if t.windows.count > capacity { t.windows.removeFirst(t.windows.count - capacity) }
            map[task] = t
        }
    }

    /// One row per task: `{task, windows, failed_windows, last_window_end}` (the end as the records
    /// write it: epoch seconds, or ISO 8601 for sources with textual times).
    public func summary() -> [JSONValue] {
        tasks.withLock { map in
            order.map { name in
                let t = map[name] ?? Task()
                return [
                    "task": .string(name), "windows": .integer(Int64(t.total)), "failed_windows": .integer(Int64(t.failed)),
                    "last_window_end": t.lastWindowEnd ?? .null,
                ]
            }
        }
    }

    /// The newest windows of `task`, newest first (only failed ones when `failed`); `nil` for an
    /// unknown task.
    public func windows(_ task: String, failed: Bool, limit: Int) -> [JSONValue]? {
        tasks.withLock { map in
            guard let t = map[task] else { return nil }
            let rows = failed ? t.windows.filter { if case .object(let o) = $0 { o["passed"] == .bool(false) } else { false } } : t.windows
            return Array(rows.reversed().prefix(limit))
        }
    }
}

/// Runs `serve`'s data-quality monitor, following its sources, until shutdown.
public struct MonitorService: Service {
    let monitor: QualityMonitor
    let logger: Logger

    /// Creates the service.
    public init(monitor: QualityMonitor, logger: Logger) {
        self.monitor = monitor
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            do { try await monitor.run() } catch is CancellationError {} catch {
                logger.error("data-quality monitor stopped", metadata: ["error": "\(error)"])
            }
        }
    }
}
