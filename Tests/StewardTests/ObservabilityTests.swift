import Logging
import Foundation
import InMemoryTracing
import Instrumentation
import Metrics
import MetricsTestKit
import Prometheus
import Steward
import StewardHTTP
import StewardQuality
import StewardSQLite
import Testing
import Tracing

/// Metrics and tracing backends are process-wide and can be bootstrapped once; every test in
/// this process shares these.
enum TestBackends {
    static let metrics: TestMetrics = {
        let m = TestMetrics()
        MetricsSystem.bootstrap(m)
        return m
    }()
    static let tracer: InMemoryTracer = {
        let t = InMemoryTracer()
        InstrumentationSystem.bootstrap(t)
        return t
    }()
}

@Suite("Observability")
struct ObservabilityTests {
    @Test("with backends bootstrapped, every attempt is counted, timed and traced; gauges show running jobs")
    func metricsAndSpans() async throws {
        let metrics = TestBackends.metrics
        let tracer = TestBackends.tracer
        let store = try makeTemporarySQLiteStore()
        try await store.migrate()
        let registry = JobRegistry()
        struct Nope: Error {}
        registry.register(name: "obs.ok") { _, _ in
            // Runs at least 300 ms (timed below) and until the running gauge has sampled it (at most
            // 10 s): the sampler's period must not decide the test on a loaded machine.
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .milliseconds(300)
                || (ContinuousClock.now - start < .seconds(10)
                    && !((try? metrics.expectGauge("steward_jobs_running", [("queue", "obs")]))?.values.contains(1.0) ?? false))
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
        registry.register(name: "obs.fail") { _, _ in throw Nope() }
        let ids = try await store.enqueue(
            [NewJob(queue: "obs", name: "obs.ok"), NewJob(queue: "obs", name: "obs.fail", retryPolicy: .noRetries)], now: Date()
        ).map(\.id)
        let config = WorkerConfiguration(progressFlushInterval: .milliseconds(20), pollInterval: .milliseconds(200))
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "obs")], configuration: config) { _ in
            let finished = try await eventually {
                let ok = try await store.job(ids[0], now: Date())?.state
                let failed = try await store.job(ids[1], now: Date())?.state
                return ok == .succeeded && failed == .dead
            }
            #expect(finished)
        }
        let ok = try metrics.expectCounter("steward_job_attempts_total", [("queue", "obs"), ("name", "obs.ok"), ("outcome", "succeeded")])
        #expect(ok.totalValue == 1)
        let failed = try metrics.expectCounter("steward_job_attempts_total", [("queue", "obs"), ("name", "obs.fail"), ("outcome", "failed")])
        #expect(failed.totalValue == 1)
        let timer = try metrics.expectTimer("steward_job_duration_seconds", [("queue", "obs"), ("name", "obs.ok"), ("outcome", "succeeded")])
        #expect((timer.lastValue ?? 0) >= 250_000_000, "the 300 ms attempt was timed at \(timer.lastValue ?? 0) ns")
        let gauge = try metrics.expectGauge("steward_jobs_running", [("queue", "obs")])
        #expect(gauge.values.contains(1.0), "never sampled the running job: \(gauge.values.prefix(10))")

        let spans = tracer.finishedSpans.filter { $0.operationName.hasPrefix("steward.job obs.") }
        let okSpan = try #require(spans.first { $0.operationName == "steward.job obs.ok" })
        #expect(okSpan.attributes["steward.job.id"]?.toSpanAttribute() == .int64(ids[0].rawValue))
        #expect(okSpan.attributes["steward.job.queue"]?.toSpanAttribute() == .string("obs"))
        #expect(okSpan.errors.isEmpty)
        let failSpan = try #require(spans.first { $0.operationName == "steward.job obs.fail" })
        #expect(failSpan.errors.count == 1)
        try await store.close()
    }
}

@Suite("Observability of schedules and quality monitors")
struct ScheduleAndQualityMetricsTests {
    @Test("quality tasks count records, windows and late events per task; the scheduler counts jobs and missed instants")
    func counters() async throws {
        let metrics = TestBackends.metrics
        let task = "metrics-\(UUID().uuidString.prefix(8))"
        _ = try await runQuality(
            [(nil, 1, 1), (nil, 30, 1), (nil, 2, 1)], window: .tumbling(10)
        ) { $0.name = task }
        let read = try metrics.expectCounter("steward_quality_records_read_total", [("task", task)])
        #expect(read.totalValue == 3)
        let late = try metrics.expectCounter("steward_quality_late_dropped_total", [("task", task)])
        #expect(late.totalValue == 1)
        let windows = try metrics.expectCounter("steward_quality_windows_emitted_total", [("task", task)])
        #expect(windows.totalValue == 2)

        let store = try makeTemporarySQLiteStore()
        try await store.migrate()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let scheduler = try Scheduler(
            store: store, schedules: [try .cron("m", "* * * * *", job: ScheduledJob(name: "x"), misfire: .skip)], clock: clock)
        try await scheduler.register()
        clock.advance(by: .seconds(600))
        let report = try await scheduler.runPass()
        // 00:01 … 00:10 are due at 00:10:00; 00:09 and 00:10 are within the 60 s grace.
        #expect(report.missed == 8)
        // Process-wide counters, shared with other tests: at least this pass's figures.
        #expect(try metrics.expectCounter("steward_scheduler_missed_total").totalValue >= 8)
        #expect(try metrics.expectCounter("steward_schedule_fires_total").totalValue >= 1)
        try await store.close()
    }

    @Test("queue depth and oldest age are gauges read from the store; enqueues are counted by queue")
    func storeGauges() async throws {
        let metrics = TestBackends.metrics
        let store = try makeTemporarySQLiteStore()
        try await store.migrate()
        let client = StewardClient(store: store)
        try await client.enqueue([NewJob(queue: "gauged", name: "a"), NewJob(queue: "gauged", name: "b")])
        let parent = try await client.enqueue([NewJob(queue: "gauged", name: "p", runAt: Date().addingTimeInterval(3600))])[0].id
        try await client.enqueue([NewJob(queue: "gauged", name: "c", dependsOn: [parent])])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await StoreMetrics(store: store, logger: logger).refresh()
        #expect(try metrics.expectGauge("steward_queue_depth", [("queue", "gauged"), ("state", "available")]).lastValue == 2)
        #expect(try metrics.expectGauge("steward_queue_depth", [("queue", "gauged"), ("state", "scheduled")]).lastValue == 1)
        #expect(try metrics.expectGauge("steward_queue_depth", [("queue", "gauged"), ("state", "waiting")]).lastValue == 1)
        #expect(try metrics.expectGauge("steward_queue_oldest_age_seconds", [("queue", "gauged")]).lastValue ?? -1 >= 0)
        #expect(try metrics.expectCounter("steward_jobs_enqueued_total", [("queue", "gauged")]).totalValue == 4)
        _ = try await store.claim(queue: "gauged", names: nil, limit: 1, owner: "w1", leaseUntil: Date().addingTimeInterval(60), now: Date())
        _ = try await store.claim(queue: "gauged", names: nil, limit: 1, owner: "w2", leaseUntil: Date().addingTimeInterval(60), now: Date())
        try await StoreMetrics(store: store, logger: logger).refresh()
        #expect(try metrics.expectGauge("steward_workers_active").lastValue == 2)
        try await store.close()
    }
}

@Suite("Prometheus exposition")
struct PrometheusExpositionTests {
    @Test("every Steward family is exposed with its HELP and TYPE lines; other families without HELP")
    func helpLines() {
        let registry = PrometheusCollectorRegistry()
        let factory = StewardPrometheusFactory(registry: registry)
        factory.makeCounter(label: "steward_schedule_fires_total", dimensions: []).increment(by: 0)
        factory.makeCounter(label: "steward_jobs_enqueued_total", dimensions: [("queue", "q")]).increment(by: 2)
        factory.makeTimer(label: "steward_job_duration_seconds", dimensions: [("queue", "q"), ("name", "n"), ("outcome", "succeeded")])
            .recordNanoseconds(1_000_000)
        factory.makeRecorder(label: "steward_queue_depth", dimensions: [("queue", "q"), ("state", "available")], aggregate: false).record(Int64(3))
        factory.makeCounter(label: "someone_elses_total", dimensions: []).increment(by: 1)
        let text = registry.emitToString()
        for family in ["steward_schedule_fires_total", "steward_jobs_enqueued_total", "steward_job_duration_seconds", "steward_queue_depth"] {
            #expect(text.contains("# HELP \(family) \(MetricFamilies.help[family]!)"), "\(family):\n\(text)")
            #expect(text.contains("# TYPE \(family) "), "\(family)")
        }
        #expect(text.contains(#"steward_jobs_enqueued_total{queue="q"} 2"#))
        #expect(!text.contains("# HELP someone_elses_total") && text.contains("# TYPE someone_elses_total counter"))
    }
}
