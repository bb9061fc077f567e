import Foundation
import Logging
import Steward

/// `steward bench pipelines`: the anomaly check's latency after `finish`, and lineage on a
/// 10,000-dataset graph (apply, an incremental re-apply, downstream and upstream queries).
struct PipelineBench {
    let store: any StewardStore
    var rounds = 200
    var datasets = 10_000

    func run() async throws -> [String: JSONValue] {
        var out: [String: JSONValue] = ["suite": .string("pipelines")]
        out.merge(try await anomalyLatency()) { $1 }
        out.merge(try await lineage()) { $1 }
        return out
    }

    /// 30 back-filled executions, then `rounds` finishes, each awaited until its anomaly check
    /// has run on a worker in this process; 100 ms apart, under the queue's 15/s limit, so the
    /// figure is the check's own latency (finish call start -> result in hand).
    func anomalyLatency() async throws -> [String: JSONValue] {
        let admin = PipelineAdmin(store: store)
        try await admin.apply(
            PipelineCatalog(pipelines: [
                PipelineDefinition(name: "bench", writes: ["bench.out"], anomaly: AnomalySettings(metrics: ["duration", "inserted", "rows"]))
            ]))
        let registry = JobRegistry()
        PipelineChecks.register(in: registry)
        var logger = Logger(label: "steward.bench")
        logger.logLevel = .warning
        let worker = Worker(
            store: store, registry: registry, queues: PipelineChecks.queues.filter { $0.name == PipelineChecks.anomalies }, logger: logger)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        let client = StewardClient(store: store)
        let t0 = Date().addingTimeInterval(-86_400 * 60)
        var latencies: [Double] = []
        for i in 0..<(30 + rounds) {
            let start = t0.addingTimeInterval(Double(i) * 3600)
            let e = try await admin.start("bench", at: start)
            let began = ContinuousClock.now
            let done = try await admin.finish(
                e.id,
                PipelineFinish(at: start.addingTimeInterval(300 + Double(i % 7) * 10), inserted: Int64(1000 + i % 13), metrics: ["rows": Double(i % 5)]))
            guard let check = done.check else { throw StewardError.invalidArgument(field: "bench", message: "bench: no anomaly check was queued") }
            _ = try await client.waitForResult(check, timeout: .seconds(30))
            if i >= 30 {
                latencies.append((ContinuousClock.now - began).seconds * 1000)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let sorted = latencies.sorted()
        func ms(_ p: Double) -> JSONValue { .number((Benchmark.percentile(sorted, p) * 1000).rounded() / 1000) }
        return ["anomaly_rounds": .integer(Int64(rounds)), "anomaly_check_ms_p50": ms(50), "anomaly_check_ms_p99": ms(99)]
    }

    /// 10 layers of 1,000 datasets; dataset j of a layer is written by a pipeline reading
    /// datasets j and j+1 of the layer before (a deep dataset has about 54 ancestors).
    func lineage() async throws -> [String: JSONValue] {
        let width = datasets / 10
        func name(_ layer: Int, _ j: Int) -> String { "l\(layer).d\(j)" }
        var pipelines: [PipelineDefinition] = []
        for layer in 1..<10 {
            for j in 0..<width {
                pipelines.append(
                    PipelineDefinition(name: "p\(layer).\(j)", reads: [name(layer - 1, j), name(layer - 1, (j + 1) % width)], writes: [name(layer, j)]))
            }
        }
        let admin = PipelineAdmin(store: store)
        var began = ContinuousClock.now
        let first = try await admin.apply(PipelineCatalog(pipelines: pipelines))
        let applySeconds = (ContinuousClock.now - began).seconds
        // Change one pipeline in the middle: only the closure rows that change are written.
        pipelines[4 * width + 10].reads = [name(4, 500)]
        began = ContinuousClock.now
        let second = try await admin.apply(PipelineCatalog(pipelines: pipelines))
        let reapplySeconds = (ContinuousClock.now - began).seconds
        var down: [Double] = []
        var up: [Double] = []
        var rows = 0
        for i in 0..<1_000 {
            let j = (i * 7919) % width
            began = ContinuousClock.now
            rows += try await store.lineage(of: name(i % 5, j), downstream: true).count
            down.append((ContinuousClock.now - began).seconds * 1000)
            began = ContinuousClock.now
            rows += try await store.lineage(of: name(9 - i % 5, j), downstream: false).count
            up.append((ContinuousClock.now - began).seconds * 1000)
        }
        func ms(_ values: [Double], _ p: Double) -> JSONValue { .number((Benchmark.percentile(values.sorted(), p) * 1000).rounded() / 1000) }
        return [
            "lineage_datasets": .integer(Int64(datasets)), "lineage_closure_rows": .integer(Int64(first.lineageRowsWritten)),
            "lineage_apply_s": .number((applySeconds * 1000).rounded() / 1000),
            "lineage_reapply_s": .number((reapplySeconds * 1000).rounded() / 1000),
            "lineage_reapply_rows_changed": .integer(Int64(second.lineageRowsWritten + second.lineageRowsRemoved)),
            "lineage_downstream_ms_p50": ms(down, 50), "lineage_upstream_ms_p50": ms(up, 50),
            "lineage_downstream_ms_p99": ms(down, 99), "lineage_upstream_ms_p99": ms(up, 99),
            "lineage_rows_read": .integer(Int64(rows)),
        ]
    }
}
