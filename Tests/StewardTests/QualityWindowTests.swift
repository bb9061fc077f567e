import Foundation
import StewardConfig
import StewardQuality
import Testing

/// Runs one task over hand-made events and returns its records as compact tuples.
func runQuality(
    _ events: [(key: String?, t: Double, v: Double?)], window: WindowSpec, waitForLate: Double = 0, key: Bool = false,
    checks: [QualityCheck]? = nil, configure: (inout QualityTaskConfiguration) -> Void = { _ in }
) async throws -> (records: [QualityRecord], status: QualityMonitor.TaskStatus) {
    let schema = try SourceSchema(
        columns: [.init("k", .string, nullable: true), .init("ts", .float), .init("v", .float, nullable: true)], timeColumn: "ts",
        validates: false)
    let rows = events.map { e in
        QualityRow(values: [e.key.map { .string($0) } ?? .null, .double(e.t), e.v.map { .double($0) } ?? .null], time: e.t)
    }
    let monitor = QualityMonitor()
    monitor.addSource(ArraySource(name: "s", schema: schema, rows: rows, batchSize: 3))
    var config = QualityTaskConfiguration(
        name: "t", source: "s", window: window, key: key ? "k" : nil, waitForLate: waitForLate,
        checks: try checks ?? [QualityCheck(name: "n", .count), QualityCheck(name: "sum", .sum, column: "v")])
    configure(&config)
    try monitor.addTask(config)
    let stream = monitor.records()
    try await monitor.run()
    var out: [QualityRecord] = []
    for await r in stream { out.append(r) }
    return (out, monitor.status().tasks[0])
}

/// (start, end, count) of each record, in emission order.
func spans(_ records: [QualityRecord]) -> [String] {
    records.map { r in
        let key = r.key.map { "\($0.value) " } ?? ""
        return "\(key)[\(fmt(r.windowStart)),\(fmt(r.windowEnd))) n=\(r.checks[0].value)"
    }
}

func fmt(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

@Suite("Quality windows and time")
struct QualityWindowTests {
    @Test("tumbling: epoch-aligned, start inclusive, end exclusive")
    func tumbling() async throws {
        let (r, _) = try await runQuality([(nil, 0, 1), (nil, 9.999, 2), (nil, 10, 3), (nil, 25, 4)], window: .tumbling(10))
        #expect(spans(r) == ["[0,10) n=2", "[10,20) n=1", "[20,30) n=1"])
        #expect(r.map { $0.checks[1].value } == [.number(3), .number(3), .number(4)])
    }

    @Test("sliding: an event belongs to every window that holds it; an origin shifts the grid")
    func sliding() async throws {
        let (r, _) = try await runQuality([(nil, 5, 1), (nil, 12, 1)], window: .sliding(duration: 10, every: 5))
        #expect(spans(r) == ["[0,10) n=1", "[5,15) n=2", "[10,20) n=1"])
        let (shifted, _) = try await runQuality([(nil, 5, 1)], window: .sliding(duration: 10, every: 5, origin: 2))
        #expect(spans(shifted) == ["[-3,7) n=1", "[2,12) n=1"])
    }

    @Test("a window is emitted once the watermark passes its end plus the allowed lateness, never revised")
    func emissionTiming() async throws {
        // wait_for_late 5: [0,10) may be emitted only when an event at >= 15 arrives.
        let (r, _) = try await runQuality(
            [(nil, 1, 1), (nil, 12, 1), (nil, 8, 1), (nil, 14.9, 1), (nil, 9, 1), (nil, 15, 1), (nil, 9.5, 1)],
            window: .tumbling(10), waitForLate: 5)
        // 8 and 9 arrive before the watermark reaches 15: counted. 9.5 arrives after: late.
        #expect(spans(r) == ["[0,10) n=3", "[10,20) n=3"])
    }

    @Test("late events are dropped per window and counted, never silently lost")
    func lateness() async throws {
        // Sliding 10/5. After the watermark reaches 16, windows ending at <= 16 are closed.
        let (r, status) = try await runQuality(
            [(nil, 1, 1), (nil, 16, 1), (nil, 7, 1), (nil, 2, 1)], window: .sliding(duration: 10, every: 5))
        // 7 belongs to [0,10) (closed: late) and [5,15) (closed, 15 <= 16: late) -> dropped entirely.
        // 2 belongs to [-5,5) and [0,10): both closed -> dropped.
        #expect(spans(r) == ["[-5,5) n=1", "[0,10) n=1", "[10,20) n=1", "[15,25) n=1"])
        #expect(status.lateRecordsDropped == 2)
        #expect(status.lateWindowMisses == 4)
        // 12 misses [5,15) but still counts in [10,20).
        let (r2, s2) = try await runQuality(
            [(nil, 1, 1), (nil, 16, 1), (nil, 12, 1)], window: .sliding(duration: 10, every: 5))
        #expect(spans(r2) == ["[-5,5) n=1", "[0,10) n=1", "[10,20) n=2", "[15,25) n=1"])
        #expect(s2.lateRecordsDropped == 0)
        #expect(s2.lateWindowMisses == 1)
    }

    @Test("the watermark is the largest event time across all keys")
    func watermarkAcrossKeys() async throws {
        let (r, status) = try await runQuality(
            [("a", 1, 1), ("b", 30, 1), ("a", 5, 1), ("a", 31, 1)], window: .tumbling(10), key: true)
        // b at 30 closes [0,10) for every key: a@5 is late.
        #expect(spans(r) == ["a [0,10) n=1", "a [30,40) n=1", "b [30,40) n=1"])
        #expect(status.lateRecordsDropped == 1)
    }

    @Test("end of input flushes every open window")
    func flush() async throws {
        let (r, _) = try await runQuality([(nil, 1, 1), (nil, 2, 1)], window: .tumbling(60), waitForLate: 1_000)
        #expect(spans(r) == ["[0,60) n=2"])
    }

    @Test("sessions: neighbours strictly closer than the gap; bounds are the first and last event")
    func sessions() async throws {
        let (r, _) = try await runQuality(
            [("a", 0, 1), ("a", 4, 1), ("a", 9, 1), ("a", 14, 1), ("b", 1, 1)], window: .session(maxGap: 5), key: true)
        // 4 -> 9 is exactly 5 apart: not < 5, a new session. 9 -> 14 also 5: another.
        #expect(Set(spans(r)) == ["a [0,4) n=2", "a [9,9) n=1", "a [14,14) n=1", "b [1,1) n=1"])
    }

    @Test("sessions: an out-of-order event bridges two open sessions; joining an emitted one is late")
    func sessionMergeAndLate() async throws {
        let (r, status) = try await runQuality(
            [("a", 0, 1), ("a", 8, 1), ("a", 4, 1), ("a", 30, 1), ("a", 6, 1), ("a", 40, 1)], window: .session(maxGap: 5),
            waitForLate: 10, key: true)
        // 0 and 8 are separate until 4 arrives (< 5 from both): one session [0,8] of 3.
        // 30 emits it (30 >= 8 + 5 + 10); 6 would join it: late.
        #expect(spans(r) == ["a [0,8) n=3", "a [30,30) n=1", "a [40,40) n=1"])
        #expect(status.lateRecordsDropped == 1)
    }

    @Test("sessions with emit: updates: each change is a retraction and an insertion")
    func sessionUpdates() async throws {
        let (r, _) = try await runQuality(
            [("a", 0, 1), ("a", 2, 1), ("a", 10, 1)], window: .session(maxGap: 5), key: true
        ) { $0.sessionEmit = .updates }
        let revisions = r.map { "\($0.diff!) [\(fmt($0.windowStart)),\(fmt($0.windowEnd))] n=\($0.checks[0].value)" }
        #expect(revisions == ["1 [0,0] n=1", "-1 [0,0] n=1", "1 [0,2] n=2", "1 [10,10] n=1"])
    }

    @Test("empty windows: a silent key gets count 0 and null measures")
    func emptyWindows() async throws {
        let (r, _) = try await runQuality(
            [("a", 1, 1), ("b", 2, 1), ("a", 11, 1), ("a", 35, 1)], window: .tumbling(10), key: true
        ) { $0.emitEmptyWindows = true }
        #expect(spans(r) == [
            "a [0,10) n=1", "b [0,10) n=1", "a [10,20) n=1", "b [10,20) n=0", "a [20,30) n=0", "b [20,30) n=0",
            "a [30,40) n=1", "b [30,40) n=0",
        ])
        #expect(r[3].checks[1].value == .null)
        // An out-of-order (not late) event in an earlier window than the first one seen.
        let (early, _) = try await runQuality(
            [("a", 15, 1), ("a", 5, 1), ("a", 40, 1)], window: .tumbling(10), waitForLate: 20, key: true
        ) { $0.emitEmptyWindows = true }
        #expect(spans(early) == ["a [0,10) n=1", "a [10,20) n=1", "a [20,30) n=0", "a [30,40) n=0", "a [40,50) n=1"])
        let (plain, _) = try await runQuality([("a", 1, 1), ("a", 35, 1)], window: .tumbling(10), key: true)
        #expect(spans(plain) == ["a [0,10) n=1", "a [30,40) n=1"])
    }

    @Test("an out-of-order stream with late events, replayed: hand-computed windows and counts")
    func outOfOrderReplay() async throws {
        let events: [(key: String?, t: Double, v: Double?)] = [
            ("s1", 100, 20), ("s2", 101, 21), ("s1", 107, 22), ("s1", 104, 19), ("s2", 112, 25), ("s1", 111, 23),
            ("s2", 103, 30), ("s1", 125, 24), ("s2", 108, 26), ("s1", 119, 18), ("s2", 131, 27), ("s1", 115, 17),
        ]
        let (r, status) = try await runQuality(
            events, window: .tumbling(10), waitForLate: 5, key: true,
            checks: [QualityCheck(name: "n", .count), QualityCheck(name: "avg", .mean, column: "v", mustBe: "(15, 25)")]
        ) { $0.lateColumn = true }
        // s2@103 arrives at watermark 112 (< 110 + 5): counted. s1@125 moves the watermark to 125 and
        // closes [100,110) (115) and [110,120) (125). Then s2@108, s1@119 and s1@115 are late.
        #expect(spans(r) == [
            "s1 [100,110) n=3", "s2 [100,110) n=2", "s1 [110,120) n=1", "s2 [110,120) n=1", "s1 [120,130) n=1",
            "s2 [130,140) n=1",
        ])
        #expect(r[0].checks[1].value == .number(20.333))
        #expect(r[0].checks[1].passed == true)
        #expect(r[1].checks[1].value == .number(25.5))
        #expect(r[1].checks[1].passed == false)
        #expect(status.lateRecordsDropped == 3)
        // The late column carries each key's dropped events into its next record.
        #expect(r.map { $0.late } == [0, 0, 0, 0, 2, 1])
    }
}

@Suite("Quality configuration and time formats")
struct QualityConfigTests {
    func run(_ yaml: String, csv: String) async throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-qc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try csv.write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let config = try QualityConfigFile.parse(yaml, file: "c.yaml", baseDirectory: dir.path)
        let out = dir.appendingPathComponent("o").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let monitor = try config.makeMonitor { try JSONLFileSink(path: "\(out)/\($0).jsonl") }
        try await monitor.run()
        return try String(contentsOfFile: "\(out)/t.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("ISO-8601 event time prints ISO-8601; durations accept 60, 90s, 5m, 1h")
    func isoTime() async throws {
        let lines = try await run(
            """
            sources:
              s: {path: d.csv, time: at, columns: {at: time, v: float}}
            tasks:
              - {name: t, source: s, window: {tumbling: 1h}, wait_for_late: "5m", checks: [{measure: count}]}
            """,
            csv: "at,v\n2026-01-01T00:10:00Z,1\n2026-01-01T00:59:59Z,2\n2026-01-01T01:00:00Z,3\n")
        #expect(lines == [
            #"{"window_start":"2026-01-01T00:00:00Z","window_end":"2026-01-01T01:00:00Z","task":"t","check_1":2,"_schema_errors":0}"#,
            #"{"window_start":"2026-01-01T01:00:00Z","window_end":"2026-01-01T02:00:00Z","task":"t","check_1":1,"_schema_errors":0}"#,
        ])
    }

    @Test("a given time format, and fractional epoch seconds that print as numbers")
    func formats() async throws {
        let pattern = try await run(
            """
            sources:
              s: {path: d.csv, time: at, time_format: "dd/MM/yyyy HH:mm", columns: {at: string, v: float}}
            tasks:
              - {name: t, source: s, window: {sliding: {duration: "90s", hop: 60}}, checks: [{measure: count}]}
            """,
            csv: "at,v\n01/01/2026 00:01,1\n")
        #expect(pattern.first?.hasPrefix(#"{"window_start":"2026-01-01T00:00:00Z","window_end":"2026-01-01T00:01:30Z""#) == true, "\(pattern)")
        let fractional = try await run(
            """
            sources:
              s: {path: d.csv, time: ts, columns: {ts: float, v: float}}
            tasks:
              - {name: t, source: s, window: {tumbling: 0.5}, checks: [{measure: count}]}
            """,
            csv: "ts,v\n10.25,1\n10.5,1\n")
        #expect(fractional == [
            #"{"window_start":10,"window_end":10.5,"task":"t","check_1":1,"_schema_errors":0}"#,
            #"{"window_start":10.5,"window_end":11,"task":"t","check_1":1,"_schema_errors":0}"#,
        ])
    }
}
