import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Steward
import StewardConfig

/// Watches the queues every `interval` and notifies as ``AlertEvaluator`` decides. Each notifier
/// has its own buffer and retries with backoff, so a failing one never delays the others, the
/// evaluation, or any worker.
public struct AlertService: Service {
    let store: any StewardStore
    let rules: AlertRules
    let notifiers: [AlertNotifier]
    let interval: Duration
    let logger: Logger
    let history: QueueHistory?

    /// Creates the service. With `history` (the samples ``StoreMetrics`` takes), queues are judged
    /// on its latest samples when they are fresh, instead of reading every queue again.
    public init(
        store: any StewardStore, rules: AlertRules, notifiers: [AlertNotifier], interval: Duration = .seconds(10), history: QueueHistory? = nil,
        logger: Logger
    ) {
        self.history = history
        self.store = store
        self.rules = rules
        self.notifiers = notifiers.isEmpty ? [.log] : notifiers
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var outlets: [AsyncStream<(AlertEvent, Int)>.Continuation] = []
        await withTaskGroup(of: Void.self) { group in
            for notifier in notifiers {
                let (stream, continuation) = AsyncStream.makeStream(of: (AlertEvent, Int).self, bufferingPolicy: .bufferingNewest(1_000))
                outlets.append(continuation)
                group.addTask { for await (event, workers) in stream { await self.deliver(event, activeWorkers: workers, to: notifier) } }
            }
            let sinks = outlets
            await cancelWhenGracefulShutdown {
                var evaluator = AlertEvaluator(rules: self.rules)
                var pipelines = PipelineAlertEvaluator(since: Date())
                while !Task.isCancelled {
                    do {
                        for event in try await self.check(&evaluator) + self.checkPipelines(&pipelines) {
                            // Read once per alert, not once per notifier.
                            let workers = await self.activeWorkers(event.queue)
                            for s in sinks { s.yield((event, workers)) }
                        }
                    } catch {
                        self.logger.warning("alert check failed", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: self.interval)
                }
            }
            // Shutting down: notifications still retrying are dropped rather than holding the process.
            group.cancelAll()
        }
    }

    /// One evaluation of every queue.
    func check(_ evaluator: inout AlertEvaluator) async throws -> [AlertEvent] {
        // The sampler's figures, when it sampled every queue within three of its periods (15 s).
        if let sampled = history?.latestStats(maxAge: 15) { return evaluator.evaluate(sampled, now: Date()) }
        let admin = QueueAdmin(store: store)
        var stats: [QueueStats] = []
        for q in try await admin.list() { stats.append(try await admin.stats(q.name)) }
        return evaluator.evaluate(stats, now: Date())
    }

    /// Freshness, timeliness (the last hour) and new anomalies, when pipelines or datasets are
    /// declared.
    func checkPipelines(_ evaluator: inout PipelineAlertEvaluator) async throws -> [AlertEvent] {
        let catalog = try await store.pipelineCatalog()
        guard !catalog.pipelines.isEmpty || !catalog.datasets.isEmpty else { return [] }
        let admin = PipelineAdmin(store: store)
        let now = Date()
        return evaluator.evaluate(
            freshness: try await admin.freshness(asOf: now), timeliness: try await admin.timeliness(lookback: 3600, asOf: now, catalog: catalog),
            anomalies: try await store.pipelineAnomalies(pipeline: nil, limit: 100), now: now)
    }

    /// Worker processes holding a running job of `queue` (0 when the store cannot say).
    func activeWorkers(_ queue: String) async -> Int {
        (try? await store.jobs(JobFilter(queue: queue, state: .running, limit: 1_000), now: Date()))
            .map { Set($0.compactMap(\.leaseOwner)).count } ?? 0
    }

    func deliver(_ event: AlertEvent, activeWorkers workers: Int, to notifier: AlertNotifier) async {
        var delay = Duration.milliseconds(500)
        for attempt in 1...4 {
            do {
                try await send(event, activeWorkers: workers, to: notifier)
                return
            } catch {
                logger.warning("alert notifier failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if attempt == 4 || Task.isCancelled { return }
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    func send(_ e: AlertEvent, activeWorkers: Int, to notifier: AlertNotifier) async throws {
        switch notifier {
        case .log:
            let metadata: Logger.Metadata = [
                "queue": "\(e.queue)", "subject": "\(e.subject)", "measure": "\(e.measure)", "value": "\(e.value.map { "\($0)" } ?? "none")",
                "level": "\(e.label)",
            ]
            if e.level == .critical { logger.error("alert: \(e.message)", metadata: metadata) } else { logger.warning("alert: \(e.message)", metadata: metadata) }
        case .webhook(let url):
            let body: JSONValue = [
                "level": .string(e.label.lowercased()), "queue": .string(e.queue), "subject": .string(e.subject), "measure": .string(e.measure),
                "value": e.value.map(JSONValue.number) ?? .null, "threshold": .number(e.threshold), "message": .string(e.message),
                "depth": e.depth.map { .integer(Int64($0)) } ?? .null, "scheduled": e.scheduled.map { .integer(Int64($0)) } ?? .null,
                "running": e.running.map { .integer(Int64($0)) } ?? .null, "active_workers": .integer(Int64(activeWorkers)),
                "time": .string(e.time.iso8601UTC),
            ]
            try await post(body, to: url)
        case .slack(let url):
            let what = e.subject == e.queue ? "queue '\(e.queue)'" : "'\(e.subject)'"
            let title = "*[\(e.label)] steward: \(what) \(e.measure.replacingOccurrences(of: "_", with: " "))*"
            let details =
                if let depth = e.depth, let scheduled = e.scheduled, let running = e.running {
                    "depth \(depth) · scheduled \(scheduled) · running \(running) · active workers \(activeWorkers)"
                } else {
                    "checked by \(e.queue)"
                }
            try await post(["text": .string([title, e.time.iso8601UTC, e.message, details].joined(separator: "\n"))], to: url)
        }
    }

    func post(_ body: JSONValue, to url: String) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body.jsonText))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        guard (200..<300).contains(response.status.code) else {
            throw StewardError.storeUnavailable("alert webhook answered \(response.status.code)")
        }
    }
}
