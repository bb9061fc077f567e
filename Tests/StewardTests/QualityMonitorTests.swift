import Foundation
import StewardQuality
import Synchronization
import Testing

/// Counts how often it is read; fails after `failAfter` batches when set.
final class CountingSource: QualitySource, @unchecked Sendable {
    let name: String
    let schema: SourceSchema
    private var batches: [[QualityRow]]
    let reads = Atomic<Int>(0)
    let failAfter: Int?

    struct Boom: Error, CustomStringConvertible { var description: String { "disk on fire" } }

    init(name: String, schema: SourceSchema, rows: [QualityRow], batchSize: Int = 2, failAfter: Int? = nil) {
        self.name = name
        self.schema = schema
        batches = stride(from: 0, to: rows.count, by: batchSize).map { Array(rows[$0..<min(rows.count, $0 + batchSize)]) }
        self.failAfter = failAfter
    }

    func nextBatch() async throws -> [QualityRow]? {
        let n = reads.add(1, ordering: .relaxed).newValue
        if let failAfter, n > failAfter { throw Boom() }
        return batches.isEmpty ? nil : batches.removeFirst()
    }
}

/// Collects records in memory; can fail on demand.
final class MemorySink: QualitySink, @unchecked Sendable {
    let records = Mutex<[QualityRecord]>([])
    let failing: Bool
    init(failing: Bool = false) { self.failing = failing }
    struct Full: Error, CustomStringConvertible { var description: String { "sink full" } }
    func write(_ r: [QualityRecord]) async throws {
        if failing { throw Full() }
        records.withLock { $0 += r }
    }
    func finish() async throws {}
}

func sensorSchema() throws -> SourceSchema {
    try SourceSchema(
        columns: [.init("id", .string), .init("ts", .int), .init("temp", .float, nullable: true)], timeColumn: "ts",
        validates: false)
}

func sensorRows(_ n: Int) -> [QualityRow] {
    (0..<n).map { i in QualityRow(values: [.string("s\(i % 2)"), .int(Int64(i * 10)), .double(20 + Double(i))], time: Double(i * 10)) }
}

@Suite("Quality monitor")
struct QualityMonitorTests {
    @Test("tasks: auto names skip names in use, duplicates are refused, list/get/remove, the default shorthand")
    func management() throws {
        let m = QualityMonitor()
        let check = try QualityCheck(.count)
        #expect(try m.addTask(QualityTaskConfiguration(name: "task_2", source: "s", window: .tumbling(60), checks: [check])) == "task_2")
        #expect(try m.addTask(QualityTaskConfiguration(source: "s", window: .tumbling(60), checks: [check])) == "task_1")
        #expect(try m.addTask(QualityTaskConfiguration(source: "s", window: .tumbling(60), checks: [check])) == "task_3")
        #expect(throws: QualityError.config("task 'task_1': a task with this name already exists")) {
            try m.addTask(QualityTaskConfiguration(name: "task_1", source: "s", window: .tumbling(60), checks: [check]))
        }
        #expect(m.taskNames() == ["task_2", "task_1", "task_3"])
        try m.removeTask("task_2")
        #expect(m.task("task_2") == nil)
        let single = QualityMonitor()
        try single.configure(source: "s", window: .tumbling(60))
        try single.check(try QualityCheck(name: "n", .count))
        #expect(single.taskNames() == ["default"])
        #expect(single.task("default")?.checks.count == 1)
        let status = single.status()
        #expect(status.total == 1)
        #expect(status.tasks[0].hasChecks && !status.tasks[0].hasSource && status.tasks[0].state == .idle)
    }

    @Test("a source shared by several tasks is read once and fanned out")
    func sharedSource() async throws {
        let source = CountingSource(name: "s", schema: try sensorSchema(), rows: sensorRows(10), batchSize: 2)
        let m = QualityMonitor()
        m.addSource(source)
        let sinks = (0..<3).map { _ in MemorySink() }
        for (i, sink) in sinks.enumerated() {
            try m.addTask(
                QualityTaskConfiguration(
                    name: "t\(i)", source: "s", window: .tumbling(Double(20 * (i + 1))), checks: [try QualityCheck(.count)]),
                sink: sink)
        }
        try await m.run()
        #expect(source.reads.load(ordering: .relaxed) == 6)  // 5 batches + end of input
        #expect(sinks.map { $0.records.withLock { $0.count } } == [5, 3, 2])
        #expect(m.status().tasks.allSatisfy { $0.state == .finished && $0.recordsRead == 10 })
    }

    @Test("a non-critical failure is logged and shown; the other tasks go on")
    func nonCriticalFailure() async throws {
        let m = QualityMonitor()
        m.addSource(CountingSource(name: "s", schema: try sensorSchema(), rows: sensorRows(10)))
        m.addSource(CountingSource(name: "broken", schema: try sensorSchema(), rows: sensorRows(10), failAfter: 2))
        let ok = MemorySink()
        try m.addTask(QualityTaskConfiguration(name: "ok", source: "s", window: .tumbling(20), checks: [try QualityCheck(.count)]), sink: ok)
        try m.addTask(QualityTaskConfiguration(name: "reader", source: "broken", window: .tumbling(20), checks: [try QualityCheck(.count)]))
        try m.addTask(
            QualityTaskConfiguration(
                name: "writer", source: "s", window: .tumbling(20), checks: [try QualityCheck(.count)]),
            sink: MemorySink(failing: true))
        try await m.run()
        let status = Dictionary(uniqueKeysWithValues: m.status().tasks.map { ($0.name, $0) })
        #expect(status["ok"]?.state == .finished)
        #expect(ok.records.withLock { $0.count } == 5)
        #expect(status["reader"]?.state == .failed)
        #expect(status["reader"]?.lastError == "disk on fire")
        #expect(status["writer"]?.state == .failed)
        #expect(status["writer"]?.lastError == "sink full")
    }

    @Test("a critical failure stops every task and surfaces CriticalTaskFailure")
    func criticalFailure() async throws {
        let m = QualityMonitor()
        let endless = CountingSource(name: "s", schema: try sensorSchema(), rows: sensorRows(100_000), batchSize: 10)
        m.addSource(endless)
        m.addSource(CountingSource(name: "broken", schema: try sensorSchema(), rows: sensorRows(10), failAfter: 1))
        try m.addTask(QualityTaskConfiguration(name: "long", source: "s", window: .tumbling(20), checks: [try QualityCheck(.count)]))
        try m.addTask(
            QualityTaskConfiguration(
                name: "vital", source: "broken", window: .tumbling(20), checks: [try QualityCheck(.count)], critical: true))
        await #expect {
            try await m.run()
        } throws: { error in
            guard let e = error as? CriticalTaskFailure else { return false }
            return e.task == "vital" && "\(e.underlying)" == "disk on fire"
        }
        #expect(endless.reads.load(ordering: .relaxed) < 10_000, "the other task was not stopped")
    }

    @Test("configuration errors surface before any data is read")
    func configErrors() async throws {
        let m = QualityMonitor()
        let source = CountingSource(name: "s", schema: try sensorSchema(), rows: sensorRows(4))
        m.addSource(source)
        try m.addTask(QualityTaskConfiguration(name: "t", source: "s", window: .tumbling(20), checks: [try QualityCheck(.mean, column: "nope")]))
        await #expect(throws: QualityError.self) { try await m.run() }
        #expect(source.reads.load(ordering: .relaxed) == 0)
    }

    @Test("schema policies over a CSV read through its schema: min, max, allowed, regex and nulls; keep, drop, raise, divert")
    func schemaPolicies() async throws {
        let schema = try SourceSchema(
            columns: [
                .init("ts", .int), .init("v", .float, min: 0, max: 10), .init("kind", .string, allowed: [.string("a"), .string("b")]),
                .init("code", .string, pattern: "[A-Z]{3}"), .init("note", .string, nullable: true),
            ], timeColumn: "ts")
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("policies-\(UUID().uuidString).csv").path
        try """
            ts,v,kind,code,note
            1,5,a,ABC,
            2,50,a,ABC,x
            3,-1,b,ABC,x
            4,7,c,ABC,x
            5,7,a,abc,x
            6,7,b,XYZ,
            7,,a,ABC,x

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let violations = [
            "column 'v': 50.0 is above the maximum 10.0", "column 'v': -1.0 is below the minimum 0.0",
            "column 'kind': 'c' is not one of the allowed values", "column 'code': 'abc' does not match /[A-Z]{3}/",
            "column 'v': empty value in a non-nullable column",
        ]
        func run(
            _ policy: QualityTaskConfiguration.SchemaPolicy, rejectSink: (any RejectedRowSink)? = nil, messages: Bool = false
        ) async throws -> (QualityRecord?, QualityMonitor.TaskStatus) {
            let m = QualityMonitor()
            m.addSource(try FileSource(name: "s", path: csv, format: .csv, schema: schema))
            let sink = MemorySink()
            try m.addTask(
                QualityTaskConfiguration(
                    name: "t", source: "s", window: .tumbling(60), checks: [try QualityCheck(name: "n", .count)],
                    schemaPolicy: policy, schemaMessages: messages),
                sink: sink, rejectSink: rejectSink)
            try await m.run()
            return (sink.records.withLock { $0.first }, m.status().tasks[0])
        }
        let (kept, keptStatus) = try await run(.keep, messages: true)
        #expect(kept?.checks[0].value == .integer(7))
        #expect(kept?.schemaErrors == 5)
        #expect(keptStatus.schemaErrors == 5)
        // Each violation names the file, the line and the column.
        let messages = kept?.schemaMessages ?? []
        #expect(messages.count == 5, "\(messages)")
        for (line, violation) in zip([3, 4, 5, 6, 8], violations) {
            #expect(messages.contains("\(csv):\(line): \(violation)"), "missing \(line): \(violation) in \(messages)")
        }
        let (dropped, _) = try await run(.drop)
        #expect(dropped?.checks[0].value == .integer(2))
        let (_, raised) = try await run(.raise)
        #expect(raised.state == .failed)
        #expect(raised.lastError?.contains("\(csv):3: column 'v': 50.0 is above the maximum 10.0") == true, "\(String(describing: raised.lastError))")
        // Divert: left out of the windows, written with the violation to the side sink.
        let side = FileManager.default.temporaryDirectory.appendingPathComponent("rejected-\(UUID().uuidString).jsonl").path
        let (diverted, divertedStatus) = try await run(.divert, rejectSink: try JSONLFileSink(path: side))
        #expect(diverted?.checks[0].value == .integer(2))
        #expect(divertedStatus.schemaErrors == 5)
        let rejected = try String(contentsOfFile: side, encoding: .utf8).split(separator: "\n")
        #expect(rejected.count == 5)
        #expect(
            rejected.first
                == #"{"task":"t","error":"\#(csv):3: column 'v': 50.0 is above the maximum 10.0","row":{"ts":2,"v":50,"kind":"a","code":"ABC","note":"x"}}"#)
    }

    @Test("compact rows expand into columns by position; anomalies are scored per key after warm-up")
    func compactAndAnomaly() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-q-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("c.jsonl").path
        var lines: [String] = []
        for minute in 0..<8 {
            // Sensor a reads 10 per minute, then 100 in minute 7; b always 10. Fields vary per row.
            let value = minute == 7 ? 100 : 10 + minute % 2
            lines.append(#"{"ts": \#(minute * 60), "fields": ["id", "v"], "values": ["a", \#(value)]}"#)
            lines.append(#"{"ts": \#(minute * 60 + 1), "fields": ["v", "id"], "values": [10, "b"]}"#)
        }
        lines.append(#"{"ts": 500, "fields": ["id"], "values": ["b"]}"#)
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let schema = try SourceSchema(
            columns: [.init("id", .string), .init("ts", .int), .init("v", .float, nullable: true)], timeColumn: "ts", validates: false)
        let m = QualityMonitor()
        m.addSource(try FileSource(name: "c", path: file, format: .jsonl, schema: schema, compact: true))
        let sink = MemorySink()
        try m.addTask(
            QualityTaskConfiguration(
                name: "t", source: "c", window: .tumbling(60), key: "id",
                checks: [try QualityCheck(name: "avg", .mean, column: "v"), try QualityCheck(name: "n", .count)],
                anomaly: AnomalyConfiguration(checks: ["avg"], history: 10, warmUp: 3)),
            sink: sink)
        try await m.run()
        let records = sink.records.withLock { $0 }
        let a = records.filter { $0.key?.value == .string("a") }
        #expect(a.map { $0.checks[0].value } == [10, 11, 10, 11, 10, 11, 10, 100].map { MeasureResult.number($0) })
        #expect(a.prefix(7).allSatisfy { $0.anomaly == "normal" })
        #expect(a.last?.anomaly == "critical")
        let b = records.filter { $0.key?.value == .string("b") }
        #expect(b.allSatisfy { $0.anomaly == "normal" })
        // The last row names only id: v is absent, hence null (one row, no mean).
        #expect(b.last?.checks[1].value == .integer(1))
        #expect(b.last?.checks[0].value == .null)
    }
}
