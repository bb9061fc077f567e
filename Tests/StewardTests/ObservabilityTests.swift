import Foundation
import InMemoryTracing
import Instrumentation
import Metrics
import MetricsTestKit
import Steward
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
            try await Task.sleep(for: .milliseconds(300))  // long enough for a gauge sample while running
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
        let ok = try metrics.expectCounter("steward_job_attempts_total", [("queue", "obs"), ("name", "obs.ok"), ("status", "succeeded")])
        #expect(ok.totalValue == 1)
        let failed = try metrics.expectCounter("steward_job_attempts_total", [("queue", "obs"), ("name", "obs.fail"), ("status", "failed")])
        #expect(failed.totalValue == 1)
        let timer = try metrics.expectTimer("steward_job_duration_seconds", [("queue", "obs"), ("name", "obs.ok"), ("status", "succeeded")])
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
