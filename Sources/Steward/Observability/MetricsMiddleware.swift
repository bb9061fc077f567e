import Foundation
import Metrics
import Synchronization

/// Records `steward_job_attempts_total{queue,name,outcome}` and
/// `steward_job_duration_seconds{queue,name,outcome}` through swift-metrics.
public struct MetricsMiddleware: JobMiddleware {
    private let cache = MetricsCache()

    /// Creates the metrics middleware.
    public init() {}

    public func handle(_ context: JobContext, next: JobNext) async throws -> String? {
        let start = ContinuousClock.now
        do {
            let result = try await next(context)
            cache.record(queue: context.queue, name: context.name, outcome: "succeeded", since: start)
            return result
        } catch let notRun as WorkflowEngine.NotRun {
            // A workflow task that did not run is neither a success nor a failure.
            cache.record(queue: context.queue, name: context.name, outcome: notRun.state.rawValue, since: start)
            throw notRun
        } catch let written as JobOutcomeWritten {
            // A durable run waiting (the attempt is given back, neither success nor failure), or
            // ended with its job's success in one transaction.
            cache.record(queue: context.queue, name: context.name, outcome: written.label, since: start)
            throw written
        } catch {
            cache.record(queue: context.queue, name: context.name, outcome: "failed", since: start)
            throw error
        }
    }
}

/// Metric handles are created once per label set: creating them per job costs a factory lookup.
final class MetricsCache: Sendable {
    private struct Key: Hashable {
        var queue: String
        var name: String
        var outcome: String
    }
    private let entries = Mutex<[Key: (Counter, Metrics.Timer)]>([:])

    func record(queue: String, name: String, outcome: String, since start: ContinuousClock.Instant) {
        let key = Key(queue: queue, name: name, outcome: outcome)
        let (counter, timer) = entries.withLock { map in
            if let hit = map[key] { return hit }
            let dims = [("queue", queue), ("name", name), ("outcome", outcome)]
            let made = (
                Counter(label: "steward_job_attempts_total", dimensions: dims),
                Metrics.Timer(label: "steward_job_duration_seconds", dimensions: dims, preferredDisplayUnit: .seconds)
            )
            map[key] = made
            return made
        }
        counter.increment()
        let elapsed = ContinuousClock.now - start
        let c = elapsed.components
        timer.recordNanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }
}
