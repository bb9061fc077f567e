import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Steward
import StewardConfig
@testable import StewardHTTP
import StewardSQLite
import Synchronization
import Testing

@Suite("Alerts")
struct AlertTests {
    static func stats(_ queue: String, depth: Int, oldest: Double? = nil, failed: Int = 0, succeeded: Int = 0) -> QueueStats {
        QueueStats(
            queue: queue, paused: false, counts: ["available": depth, "scheduled": 0], running: 0, succeededLastMinute: succeeded,
            failedLastMinute: failed, oldestWaitingAgeSeconds: oldest)
    }

    @Test("a level crossed upward notifies once; holding or falling to a lower level is silent; recovery notifies once")
    func levels() {
        var evaluator = AlertEvaluator(rules: AlertRules())
        let depths = [10, 25, 30, 55, 120, 120, 60, 150, 5, 5, 21]
        var seen: [String] = []
        for (i, d) in depths.enumerated() {
            for e in evaluator.evaluate([Self.stats("q", depth: d)], now: Date(timeIntervalSince1970: Double(i))) {
                seen.append("\(d):\(e.label)")
            }
        }
        #expect(seen == ["25:INFO", "55:WARNING", "120:CRITICAL", "150:CRITICAL", "5:RESOLVED", "21:INFO"])
    }

    @Test("per-queue overrides, oldest age and failure rate; events carry the figures")
    func measures() {
        let rules = AlertRules(
            defaults: [
                .queueDepth: AlertThresholds(warning: 50), .oldestAge: AlertThresholds(warning: 60, critical: 300),
                .failureRate: AlertThresholds(critical: 0.5),
            ],
            overrides: ["small": [.queueDepth: AlertThresholds(warning: 5)]])
        var evaluator = AlertEvaluator(rules: rules)
        let events = evaluator.evaluate(
            [Self.stats("big", depth: 10, oldest: 400, failed: 6, succeeded: 4), Self.stats("small", depth: 10)], now: Date())
        let summary = events.map { "\($0.queue) \($0.measure) \($0.label)" }
        #expect(summary == ["big oldest_age CRITICAL", "big failure_rate CRITICAL", "small queue_depth WARNING"])
        let age = events[0]
        #expect(age.value == 400 && age.threshold == 300 && age.depth == 10 && age.message.contains("reached"))
    }

    @Test("the service posts webhook and Slack notifications, once per crossing, and a failing notifier blocks nothing")
    func webhooks() async throws {
        let received = Mutex<[String: [JSONValue]]>([:])
        let router = Router()
        router.post("/hook/:kind") { request, context -> HTTPResponse.Status in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            let kind = context.parameters.get("kind") ?? "?"
            received.withLock { $0[kind, default: []].append(JSONValue(parsing: body) ?? .null) }
            return .ok
        }
        let port = Mutex<Int?>(nil)
        var logger = Logger(label: "steward.test")
        logger.logLevel = .critical
        let receiver = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let store = try makeTemporarySQLiteStore()
        try await store.migrate()
        // A declared dataset never modified: stale from the first check.
        _ = try await PipelineAdmin(store: store).apply(PipelineCatalog(datasets: [DatasetDefinition(name: "dw.orders", maxAge: 3600)]))
        let receiverTask = Task { try await receiver.runService() }
        defer { receiverTask.cancel() }
        #expect(await eventually { port.withLock { $0 } != nil })
        let base = "http://127.0.0.1:\(port.withLock { $0 }!)"
        let service = AlertService(
            store: store, rules: AlertRules(defaults: [.queueDepth: AlertThresholds(warning: 3, critical: 6)]),
            notifiers: [.webhook("http://127.0.0.1:1/refused"), .webhook("\(base)/hook/json"), .slack("\(base)/hook/slack")],
            interval: .milliseconds(100), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let running = Task { try await group.run() }
        let ids = try await store.enqueue((0..<4).map { NewJob(queue: "mail", name: "x\($0)") }, now: Date()).map(\.id)
        func sent(_ measure: String) -> [[String: JSONValue]] {
            received.withLock { $0["json"] ?? [] }.compactMap { if case .object(let o) = $0, o["measure"] == .string(measure) { o } else { nil } }
        }
        #expect(await eventually(timeout: .seconds(10)) { sent("queue_depth").count >= 1 && received.withLock { $0["slack"]?.count ?? 0 } >= 2 })
        for id in ids { _ = try await store.cancel(id, now: Date()) }
        #expect(await eventually(timeout: .seconds(10)) { sent("queue_depth").count >= 2 }, "\(received.withLock { $0 })")
        try await PipelineAdmin(store: store).touch("dw.orders")
        #expect(await eventually(timeout: .seconds(10)) { sent("freshness").count >= 2 })
        try await Task.sleep(for: .milliseconds(400))
        await group.triggerGracefulShutdown()
        try await running.value
        let json = sent("queue_depth").map(JSONValue.object)
        #expect(json.count == 2, "one warning, one recovery, nothing while the level held: \(json)")
        let freshness = sent("freshness")
        #expect(freshness.count == 2, "stale once, fresh again once: \(freshness)")
        #expect(freshness.first?["subject"] == "dw.orders" && freshness.first?["value"] == .null && freshness.first?["depth"] == .null)
        #expect(freshness.first?["message"] == "dataset 'dw.orders' is stale: never modified (max age 60.0m)")
        #expect(freshness.last?["level"] == "resolved" && freshness.last?["queue"] == .string(PipelineChecks.freshness))
        guard case .object(let first) = json.first else { Issue.record("no JSON body"); return }
        #expect(Set(first.keys) == ["level", "queue", "subject", "measure", "value", "threshold", "message", "depth", "scheduled", "running", "active_workers", "time"])
        #expect(first["level"] == "warning" && first["queue"] == "mail" && first["depth"] == 4)
        if case .object(let second) = json.last { #expect(second["level"] == "resolved") }
        guard case .object(let slack) = received.withLock({ $0["slack"]?.first }), case .string(let text)? = slack["text"] else {
            Issue.record("no Slack body")
            return
        }
        let lines = received.withLock({ $0["slack"] ?? [] }).compactMap { v -> String? in
            if case .object(let o) = v, case .string(let t)? = o["text"], t.contains("queue 'mail'") { t } else { nil }
        }.first.map { $0.split(separator: "\n") } ?? []
        _ = text
        #expect(lines.count == 4 && lines[0].hasPrefix("*[WARNING] steward: queue 'mail'") && lines[3].contains("depth 4"), "\(text)")
        try await store.close()
    }

    @Test("pipeline alerts: a dataset notifies when it turns stale and when fresh again; a late execution and an anomaly once each")
    func pipelineAlerts() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var evaluator = PipelineAlertEvaluator(since: t0)
        let stale = FreshnessReport.Entry(dataset: "d", lastModified: t0.addingTimeInterval(-7200), ageSeconds: 7200, maxAgeSeconds: 3600)
        let fresh = FreshnessReport.Entry(dataset: "d", lastModified: t0, ageSeconds: 0, maxAgeSeconds: 3600)
        let late = TimelinessReport.Entry(
            pipeline: "p", execution: 7, startedAt: t0, finishedAt: nil, durationSeconds: 900, maxDurationSeconds: 600, state: .running)
        let old = PipelineAnomaly(execution: 1, pipeline: "p", metric: "duration", value: 9, mean: 1, std: 1, z: 8, detectedAt: t0.addingTimeInterval(-1))
        let new = PipelineAnomaly(execution: 2, pipeline: "p", metric: "rows", value: 5, mean: 4, std: 0, z: nil, detectedAt: t0)
        let first = evaluator.evaluate(
            freshness: FreshnessReport(stale: [stale], fresh: []), timeliness: TimelinessReport(late: [late]), anomalies: [old, new], now: t0)
        #expect(first.map(\.measure) == ["freshness", "timeliness", "anomaly"])
        #expect(first[0].message == "dataset 'd' is stale: last modified 2.0h ago, max age 60.0m" && first[0].level == .warning)
        #expect(first[1].message == "pipeline 'p' execution 7 has been running 15.0m, max 10.0m")
        #expect(first[2].message == "pipeline 'p' execution 2: rows = 5.0 is anomalous (mean 4.0, std 0.0, the history never varied)")
        let again = evaluator.evaluate(
            freshness: FreshnessReport(stale: [stale], fresh: []), timeliness: TimelinessReport(late: [late]), anomalies: [old, new], now: t0)
        #expect(again.isEmpty)
        let recovered = evaluator.evaluate(
            freshness: FreshnessReport(stale: [], fresh: [fresh]), timeliness: TimelinessReport(late: []), anomalies: [new], now: t0)
        #expect(recovered.map(\.label) == ["RESOLVED"] && recovered.first?.message == "dataset 'd' is fresh again")
    }

    @Test("with the sampler's history, queue alerts judge its fresh samples instead of reading every queue again; old samples are not trusted")
    func usesSamples() async throws {
        let store = try makeTemporarySQLiteStore()
        try await store.migrate()
        _ = try await store.enqueue((0..<4).map { NewJob(queue: "mail", name: "x\($0)") }, now: Date())
        let history = QueueHistory()
        var logger = Logger(label: "steward.test")
        logger.logLevel = .critical
        try await StoreMetrics(store: store, history: history, logger: logger).refresh()
        // Six more jobs the sampler has not seen yet.
        _ = try await store.enqueue((0..<6).map { NewJob(queue: "mail", name: "y\($0)") }, now: Date())
        let rules = AlertRules(defaults: [.queueDepth: AlertThresholds(warning: 3, critical: 6)])
        var fromSamples = AlertEvaluator(rules: rules)
        let sampled = try await AlertService(store: store, rules: rules, notifiers: [], history: history, logger: logger).check(&fromSamples)
        #expect(sampled.map(\.level) == [.warning] && sampled.first?.depth == 4)
        var fromStore = AlertEvaluator(rules: rules)
        let read = try await AlertService(store: store, rules: rules, notifiers: [], logger: logger).check(&fromStore)
        #expect(read.map(\.level) == [.critical] && read.first?.depth == 10)
        #expect(history.latestStats(maxAge: 15)?.map(\.queue) == ["mail"])
        #expect(history.latestStats(maxAge: 15, now: Date().addingTimeInterval(60)) == nil)
        try await store.close()
    }
}

