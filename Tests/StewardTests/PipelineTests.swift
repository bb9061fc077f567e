import Foundation
import Steward
import StewardConfig
import Testing

/// The pipeline rules against values computed by hand, the catalog file, and the CLI end to end.
@Suite("Pipelines: z-score anomalies, freshness, timeliness, lineage")
struct PipelineRuleTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("z-score: sample standard deviation (n - 1); threshold inclusive; min history; std 0")
    func zScore() {
        let s = AnomalySettings(metrics: ["x"], minHistory: 5, threshold: 3)
        // [10, 12, 14, 16, 18]: mean 14, squared deviations 16+4+0+4+16 = 40, / (5-1) = 10, std = √10.
        let history: [Double] = [10, 12, 14, 16, 18]
        let hit = PipelineRules.zScore(24, history: history, settings: s)
        #expect(hit?.mean == 14 && hit?.std == 10.0.squareRoot())
        #expect(hit?.z == 10 / 10.0.squareRoot())  // 3.162… ≥ 3
        // 23: z = 9/√10 = 2.846 < 3 (with the population deviation √8 it would be 3.18: anomalous).
        #expect(PipelineRules.zScore(23, history: history, settings: s) == nil)
        // Below the mean too.
        #expect(PipelineRules.zScore(4, history: history, settings: s)?.z == -10 / 10.0.squareRoot())
        // Exactly at the threshold counts: history [0, 2] has mean 1, std √2; x = 1 + 3√2 gives z = 3.
        let pair = AnomalySettings(metrics: ["x"], minHistory: 2, threshold: 3)
        let z3 = PipelineRules.zScore(1 + 3 * 2.0.squareRoot(), history: [0, 2], settings: pair)?.z
        #expect(z3 != nil && abs(z3! - 3) < 1e-12)
        // Too little history: never anomalous.
        #expect(PipelineRules.zScore(1_000, history: [10, 12, 14, 16], settings: s) == nil)
        // std 0: anomalous exactly when x differs; z is null.
        let flat = AnomalySettings(metrics: ["x"], minHistory: 3)
        #expect(PipelineRules.zScore(5, history: [5, 5, 5], settings: flat) == nil)
        let off = PipelineRules.zScore(5.5, history: [5, 5, 5], settings: flat)
        #expect(off?.mean == 5 && off?.std == 0 && off?.z == nil && off != nil)
    }

    func execution(_ id: Int64, minutes: Double, inserted: Int64? = nil, metrics: [String: Double] = [:]) -> PipelineExecution {
        PipelineExecution(
            id: id, pipeline: "p", state: .succeeded, startedAt: t0, finishedAt: t0.addingTimeInterval(minutes * 60), inserted: inserted,
            metrics: metrics)
    }

    @Test("anomalies use the previous `lookback` executions only; unreported metrics are skipped")
    func lookbackWindow() {
        // Newest first: 30 runs of ~10 minutes, then 10 older runs of 100 minutes.
        let recent = (0..<30).map { execution(Int64(100 - $0), minutes: $0 % 2 == 0 ? 9 : 11, inserted: 100) }
        let old = (0..<10).map { execution(Int64(60 - $0), minutes: 100, inserted: 100) }
        let current = execution(200, minutes: 14, inserted: 100, metrics: ["rows": 3])
        let s = AnomalySettings(metrics: ["duration", "inserted", "rows"], lookback: 30, minHistory: 10, threshold: 3)
        // Duration history (seconds): 15 × 540 and 15 × 660: mean 600, sample variance 15·60²·2/29 → std 60·√(30/29).
        let found = PipelineRules.anomalies(of: current, history: recent + old, settings: s, at: t0)
        let std = 60 * (30.0 / 29).squareRoot()
        #expect(found.map(\.metric) == ["duration"])
        #expect(found.first?.mean == 600 && abs((found.first?.std ?? 0) - std) < 1e-9)
        #expect(abs((found.first?.z ?? 0) - 240 / std) < 1e-9)
        // With the 10 old runs in the window the same run would look normal.
        let wide = AnomalySettings(metrics: ["duration"], lookback: 40, minHistory: 10, threshold: 3)
        #expect(PipelineRules.anomalies(of: current, history: recent + old, settings: wide, at: t0).isEmpty)
        // `rows`: only the current run reports it, so its history is empty (< min history).
        // `inserted`: std 0 and equal: not anomalous.
        let fewer = PipelineRules.anomalies(of: current, history: Array(recent.prefix(9)), settings: s, at: t0)
        #expect(fewer.isEmpty)
    }

    @Test("a finish touches the written datasets only when it succeeded and changed rows")
    func finishTouches() throws {
        let def = PipelineDefinition(name: "p", reads: ["a"], writes: ["b", "c"])
        let running = PipelineExecution(id: 1, pipeline: "p", startedAt: t0)
        func touched(_ f: PipelineFinish) throws -> [String] { try PipelineRules.finish(running, with: f, definition: def).touched }
        #expect(try touched(PipelineFinish(at: t0, inserted: 0, updated: 0, deleted: 0)) == [])
        #expect(try touched(PipelineFinish(at: t0)) == [])  // no counts reported: no DML
        #expect(try touched(PipelineFinish(at: t0, deleted: 1)) == ["b", "c"])
        // The anomaly check comes with a succeeded finish of a pipeline that has an anomaly section.
        var checked = def
        checked.anomaly = AnomalySettings(metrics: ["duration"])
        #expect(try PipelineRules.finish(running, with: PipelineFinish(at: t0), definition: checked).jobs == [PipelineChecks.anomalyJob(execution: 1)])
        #expect(try PipelineRules.finish(running, with: PipelineFinish(state: .failed, at: t0), definition: checked).jobs.isEmpty)
        #expect(try PipelineRules.finish(running, with: PipelineFinish(at: t0), definition: def).jobs.isEmpty)
        #expect(try touched(PipelineFinish(state: .failed, at: t0, inserted: 10)) == [])
        #expect(try PipelineRules.finish(running, with: PipelineFinish(at: t0, inserted: 1), definition: nil).touched == [])
        #expect(throws: PipelineError.self) { try PipelineRules.finish(running, with: PipelineFinish(at: t0.addingTimeInterval(-1)), definition: def) }
        #expect(throws: PipelineError.self) { try PipelineRules.finish(running, with: PipelineFinish(state: .running, at: t0), definition: def) }
        // Counts are not negative; custom metrics are finite and do not take a built-in's name.
        #expect(throws: PipelineError.invalid(field: "updated", reason: "-1 is negative")) {
            try PipelineRules.finish(running, with: PipelineFinish(at: t0, updated: -1), definition: def)
        }
        #expect(throws: PipelineError.invalid(field: "metrics", reason: "'rows' is not a finite number")) {
            try PipelineRules.finish(running, with: PipelineFinish(at: t0, metrics: ["rows": .infinity]), definition: def)
        }
        #expect(throws: PipelineError.self) { try PipelineRules.finish(running, with: PipelineFinish(at: t0, metrics: ["duration": 1]), definition: def) }
    }

    @Test("freshness: never modified is stale with null; the bound itself is still fresh; undeclared datasets are not judged")
    func freshness() {
        let report = PipelineRules.freshness(
            [
                DatasetState(name: "never", maxAge: 60, lastModified: nil),
                DatasetState(name: "edge", maxAge: 60, lastModified: t0.addingTimeInterval(-60)),
                DatasetState(name: "old", maxAge: 60, lastModified: t0.addingTimeInterval(-61)),
                DatasetState(name: "free", maxAge: nil, lastModified: nil),
            ], asOf: t0)
        #expect(report.stale.map(\.dataset) == ["never", "old"])
        #expect(report.stale[0].lastModified == nil && report.stale[0].ageSeconds == nil)
        #expect(report.stale[1].ageSeconds == 61 && report.stale[1].maxAgeSeconds == 60)
        #expect(report.fresh.map(\.dataset) == ["edge"])
        let json = (try? JSONCoding.encode(report)) ?? ""
        #expect(json.contains(#"{"age_seconds":null,"dataset":"never","last_modified":null,"max_age_seconds":60}"#), "\(json)")
    }

    @Test("timeliness: started within the lookback and longer than max_duration, or still running past it whenever started; finishes after as-of count as running")
    func timeliness() {
        let catalog = PipelineCatalog(pipelines: [PipelineDefinition(name: "p", maxDuration: 600), PipelineDefinition(name: "free")])
        func e(_ id: Int64, _ pipeline: String = "p", start: Double, end: Double?, _ state: PipelineExecution.State = .succeeded) -> PipelineExecution {
            PipelineExecution(
                id: id, pipeline: pipeline, state: end == nil ? .running : state, startedAt: t0.addingTimeInterval(start),
                finishedAt: end.map { t0.addingTimeInterval($0) })
        }
        let report = PipelineRules.timeliness(
            [
                e(1, start: -3600, end: -1000),  // started exactly lookback ago: outside
                e(2, start: -3000, end: -2399),  // 601 s: late
                e(3, start: -3000, end: -2400),  // 600 s: on time
                e(4, start: -700, end: nil),  // running 700 s: late
                e(5, start: -500, end: nil),  // running 500 s: not yet
                e(6, start: -900, end: 60, .failed),  // finishes after as-of: running 900 s at as-of
                e(7, "free", start: -3000, end: 0),  // no max_duration
                e(8, start: -2000, end: -1000, .failed),  // failed after 1000 s: late
                e(9, start: 10, end: nil),  // starts after as-of
                e(10, start: -7200, end: nil),  // stuck: running 2 h, started before the lookback: late all the same
                e(11, start: -7200, end: -6000),  // finished long before the lookback: not looked at
            ], catalog: catalog, lookback: 3600, asOf: t0)
        #expect(report.late.map(\.execution) == [10, 2, 8, 6, 4])
        #expect(report.late.map(\.state) == [.running, .succeeded, .failed, .running, .running])
        #expect(report.late.map(\.durationSeconds) == [7200, 601, 1000, 900, 700])
        #expect(report.late[3].finishedAt == nil && report.late[1].finishedAt == t0.addingTimeInterval(-2399))
    }

    @Test("lineage: shortest depths in a diamond with a shortcut, a deep chain, and a cycle named with its pipelines")
    func lineage() throws {
        let pipelines = [
            PipelineDefinition(name: "ab", reads: ["a"], writes: ["b"]),
            PipelineDefinition(name: "bc", reads: ["b"], writes: ["c"]),
            PipelineDefinition(name: "ad", reads: ["a"], writes: ["d"]),
            PipelineDefinition(name: "cd", reads: ["c", "b"], writes: ["e"]),
            PipelineDefinition(name: "de", reads: ["d"], writes: ["e"]),
        ]
        let closure = try PipelineRules.lineageClosure(pipelines)
        func depth(_ a: String, _ b: String) -> Int? { closure.first { $0.ancestor == a && $0.descendant == b }?.depth }
        #expect(depth("a", "e") == 2 && depth("a", "c") == 2 && depth("b", "e") == 1 && depth("a", "a") == 0 && depth("e", "a") == nil)
        #expect(closure.count == 5 + 8)  // 5 selves; a→b,c,d,e; b→c,e; c→e; d→e
        let chain = (0..<200).map { PipelineDefinition(name: "p\($0)", reads: ["d\($0)"], writes: ["d\($0 + 1)"]) }
        let deep = try PipelineRules.lineageClosure(chain)
        #expect(deep.count == 201 * 202 / 2)
        #expect(deep.contains(LineagePath(ancestor: "d0", descendant: "d200", depth: 200)))
        // A closure past its limit is refused, naming why.
        #expect(throws: PipelineError.self) { try PipelineRules.lineageClosure(chain, limit: 20_000) }
        // 100,000 datasets in one chain: no recursion to run out of stack; closing it is a cycle.
        let long = (0..<100_000).map { PipelineDefinition(name: "q\($0)", reads: ["c\($0)"], writes: ["c\($0 + 1)"]) }
        #expect(PipelineRules.cycle(long) == nil)
        #expect(PipelineRules.cycle(long + [PipelineDefinition(name: "loop", reads: ["c100000"], writes: ["c0"])])?.contains("c100000 -> c0 (loop)") == true)
        let cyclic = pipelines + [PipelineDefinition(name: "back", reads: ["e"], writes: ["a"])]
        let cycle = try #require(PipelineRules.cycle(cyclic))
        #expect(cycle.hasPrefix("a -> b -> c -> e -> a"), "\(cycle)")
        #expect(cycle.contains("e -> a (back)"))
        #expect(throws: PipelineError.lineageCycle(cycle)) { try PipelineRules.apply(PipelineCatalog(pipelines: cyclic), over: []) }
    }

    @Test("the catalog file: defaults, durations, and mistakes with file:line:column")
    func file() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-pl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func load(_ text: String) throws -> PipelineCatalog {
            let path = dir.appendingPathComponent("p.yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return try PipelineFile.load(path: path)
        }
        let catalog = try load(
            """
            store: sqlite:x.db
            pipelines:
              load: {max_duration: 10m, reads: [raw], writes: [clean], anomaly: {metrics: [duration]}}
            datasets:
              clean: {max_age: 2h}
            """)
        #expect(catalog.pipelines == [PipelineDefinition(name: "load", maxDuration: 600, reads: ["raw"], writes: ["clean"], anomaly: AnomalySettings(metrics: ["duration"]))])
        #expect(catalog.pipelines[0].anomaly.map { [$0.lookback, $0.minHistory] } == [30, 10] && catalog.pipelines[0].anomaly?.threshold == 3)
        #expect(catalog.datasets == [DatasetDefinition(name: "clean", maxAge: 7200)])
        let bad: [(String, String)] = [
            ("pipelines:\n  p: {max_duratoin: 1m}", "p.yaml:2:7: pipeline 'p': unknown key 'max_duratoin'"),
            ("pipelines:\n  p: {max_duration: soon}", "p.yaml:2:21: pipeline 'p' max_duration"),
            ("pipelines:\n  p: {anomaly: {metrics: [duration], lookback: 5}}", "p.yaml:2:16: pipeline 'p' anomaly: min_history 10 is more than lookback 5"),
            ("pipelines:\n  p: {anomaly: {metrics: []}}", "p.yaml:2:26: pipeline 'p' anomaly metrics: name at least one metric"),
            ("datasets:\n  d: {max_age: 0}", "p.yaml:2:16: dataset 'd' max_age: must be more than 0"),
            ("pipelines:\n  p: {reads: [a], writes: [b]}\n  q: {reads: [b], writes: [a]}", "p.yaml:3:3: lineage: the datasets form a cycle: a -> b -> a"),
            ("jobs: {}", "p.yaml:1:1: the file has no 'pipelines' or 'datasets' section"),
        ]
        for (text, message) in bad {
            let error = #expect(throws: ConfigFileError.self) { try load(text) }
            let text = error.map { "\($0)".replacingOccurrences(of: dir.path + "/", with: "") } ?? "no error"
            #expect(text.hasPrefix(message), "\(text)")
        }
    }
}

/// Which store a CLI test runs on.
enum CLIStore: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    func url(in dir: URL) throws -> String {
        switch self {
        case .sqlite: return "sqlite:\(dir.appendingPathComponent("pl.db").path)"
        case .postgres:
            guard PostgresTestDatabase.url != nil else { throw PostgresTestDatabase.Missing() }
            return PostgresTestDatabase.url(schema: "pl_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))
        }
    }
}

@Suite("steward pipeline, dataset and lineage commands end to end", .serialized)
struct PipelineCLITests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/pipelines/pipelines.yaml").path

    @Test(
        "back-filled history, an anomalous run found with hand-computed mean/std/z, freshness, timeliness, lineage, tree, exit codes",
        arguments: CLIStore.allCases.filter { $0 == .sqlite || PostgresTestDatabase.enabled })
    func endToEnd(_ kind: CLIStore) async throws {
        let cli = try CLITests()
        let store = try kind.url(in: cli.dir)
        func run(_ args: [String]) async throws -> CLITests.Run { try await cli.steward(args + ["--store", store]) }
        func object(_ r: CLITests.Run) throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout) \(r.stderr)")
        }
        let applied = try await run(["pipeline", "apply", Self.example, "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try object(applied)["pipelines"] as? Int == 4)

        // Twelve nightly runs: 300 s / 1,000 rows on even nights, 360 s / 1,020 rows on odd ones.
        for night in 1...12 {
            let day = String(format: "2026-11-%02d", night)
            let started = try await run(["pipeline", "start", "ingest_orders", "--at", "\(day)T02:00:00Z"])
            let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(started.status == 0 && Int64(id) != nil, "\(started.stderr)")
            let end = night % 2 == 0 ? "02:05:00" : "02:06:00"
            let finished = try await run([
                "pipeline", "finish", id, "--at", "\(day)T\(end)Z", "--inserted", night % 2 == 0 ? "1000" : "1020", "--json",
            ])
            #expect(try object(finished)["anomalies"] as? [Any] != nil && (try object(finished)["anomalies"] as? [Any])?.isEmpty == true)
        }
        // Night 13 takes 600 s with a normal row count. History: 6 × 300 and 6 × 360 → mean 330,
        // sample variance 12 · 30² / 11 → std = 31.3340…, z = 270 / std = 8.6168…; inserted: z = 0.
        let parent = try await run(["pipeline", "start", "ingest_orders", "--at", "2026-11-13T02:00:00Z"])
        let id = parent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try await run(["pipeline", "start", "daily_revenue", "--parent", id, "--at", "2026-11-13T02:10:00Z"])
        let childID = child.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let finished = try object(try await run(["pipeline", "finish", id, "--at", "2026-11-13T02:10:00Z", "--inserted", "1010", "--json"]))
        #expect(finished["execution"] as? Int == Int(id))
        let anomalies = try #require(finished["anomalies"] as? [[String: Any]])
        #expect(anomalies.count == 1)
        let std = (12 * 900.0 / 11).squareRoot()
        #expect(anomalies.first?["metric"] as? String == "duration" && anomalies.first?["value"] as? Double == 600)
        #expect(anomalies.first?["mean"] as? Double == 330)
        #expect(abs((anomalies.first?["std"] as? Double ?? 0) - std) < 1e-9)
        #expect(abs((anomalies.first?["z"] as? Double ?? 0) - 270 / std) < 1e-9)
        let listed = try object(try await run(["pipeline", "anomalies", "ingest_orders", "--json"]))
        #expect((listed["anomalies"] as? [[String: Any]])?.map { $0["execution"] as? Int } == [Int(id)])

        // Freshness: warehouse.orders was last written at night 13's finish; the others never.
        let fresh = try object(try await run(["pipeline", "check", "freshness", "--as-of", "2026-11-13T02:40:00Z", "--json"]))
        let freshRows = try #require(fresh["fresh"] as? [[String: Any]])
        #expect(freshRows.map { $0["dataset"] as? String } == ["warehouse.orders"])
        #expect(freshRows.first?["age_seconds"] as? Double == 1800 && freshRows.first?["max_age_seconds"] as? Double == 3600)
        let stale = try #require(fresh["stale"] as? [[String: Any]])
        #expect(stale.map { $0["dataset"] as? String } == ["marts.revenue_daily", "warehouse.customers"])
        #expect(stale.allSatisfy { $0["last_modified"] is NSNull && $0["age_seconds"] is NSNull && Set($0.keys).count == 4 })
        // An hour later it is stale; touching it makes it fresh again.
        let later = try object(try await run(["pipeline", "check", "freshness", "--as-of", "2026-11-13T03:20:00Z", "--json"]))
        #expect((later["stale"] as? [[String: Any]])?.count == 3)
        #expect(try await run(["dataset", "touch", "warehouse.orders", "--at", "2026-11-13T03:00:00Z"]).status == 0)
        let touched = try object(try await run(["pipeline", "check", "freshness", "--as-of", "2026-11-13T03:20:00Z", "--json"]))
        #expect((touched["fresh"] as? [[String: Any]])?.first?["age_seconds"] as? Double == 1200)

        // Timeliness: daily_revenue (max 15 m) still running 30 m after its start.
        let late = try object(try await run(["pipeline", "check", "timeliness", "--as-of", "2026-11-13T02:40:00Z", "--json"]))
        let lateRows = try #require(late["late"] as? [[String: Any]])
        #expect(lateRows.count == 1 && lateRows.first?["execution"] as? Int == Int(childID) && lateRows.first?["state"] as? String == "running")
        #expect(lateRows.first?["finished_at"] is NSNull && lateRows.first?["duration_seconds"] as? Double == 1800)
        #expect(Set(lateRows.first?.keys.map { $0 } ?? []) == ["pipeline", "execution", "started_at", "finished_at", "duration_seconds", "max_duration_seconds", "state"])
        // Started before a 20 m lookback, but still running past its bound: late all the same.
        let stuck = try object(try await run(["pipeline", "check", "timeliness", "--as-of", "2026-11-13T02:40:00Z", "--lookback", "20m", "--json"]))
        #expect((stuck["late"] as? [[String: Any]])?.map { $0["execution"] as? Int } == [Int(childID)])

        // Lineage and the execution tree.
        let down = try object(try await run(["lineage", "downstream", "shop.orders_raw", "--json"]))
        #expect(down["dataset"] as? String == "shop.orders_raw")
        #expect((down["datasets"] as? [[String: Any]])?.map { "\($0["name"] as? String ?? "")@\($0["depth"] as? Int ?? -1)" } == [
            "warehouse.orders@1", "marts.revenue_daily@2", "bi.revenue_dashboard@3",
        ])
        let tree = try object(try await run(["pipeline", "tree", id, "--json"]))
        let executions = try #require(tree["executions"] as? [[String: Any]])
        #expect(executions.map { $0["depth"] as? Int } == [0, 1])
        #expect((executions.last?["execution"] as? [String: Any])?["parent"] as? Int == Int(id))

        // dataset touch says what it recorded; --json is the API's shape.
        let touchedText = try await run(["dataset", "touch", "warehouse.orders", "--at", "2026-11-30T03:00:00Z"])
        #expect(touchedText.status == 0 && touchedText.stdout.contains("dataset warehouse.orders: last modified 2026-11-30T03:00:00.000Z"), "\(touchedText.stdout)")
        let touchedJSON = try object(try await run(["dataset", "touch", "warehouse.orders", "--at", "2026-11-30T03:00:00Z", "--json"]))
        #expect(touchedJSON["dataset"] as? String == "warehouse.orders" && touchedJSON["touched_at"] as? String == "2026-11-30T03:00:00.000Z")
        // The tree says since when a running execution runs; --status offers only final states.
        let treeText = try await run(["pipeline", "tree", id])
        #expect(!treeText.stdout.contains("running (running)"), "\(treeText.stdout)")
        let running = try await run(["pipeline", "finish", childID, "--status", "running"])
        #expect(running.status == 64 || running.status == 2, "\(running.status) \(running.stderr)")
        #expect(running.stderr.contains("one of 'succeeded' and 'failed'"), "\(running.stderr)")
        // Finishing twice is a state, not input: exit 1 (HTTP 409), no usage hint.
        let twice = try await run(["pipeline", "finish", id])
        #expect(twice.status == 1 && twice.stderr.contains("pipeline execution \(id) already finished (succeeded)"), "\(twice.stderr)")
        #expect(!twice.stderr.contains("--help"))
        // Mistakes: exit 2, the value named.
        for (args, message) in [
            (["pipeline", "start", "nope"], "pipeline 'nope' is not defined"),
            (["pipeline", "finish", childID, "--metric", "rows"], "--metric: 'rows' is not KEY=NUMBER"),
            // The rule is the library's (field `at`); the CLI names the flag it came from.
            (["pipeline", "finish", childID, "--at", "2000-01-01T00:00:00Z"], "--at: 2000-01-01T00:00:00.000Z is before the execution's start"),
            (["pipeline", "start", "ingest_orders", "--at", "yesterday"], "--at: 'yesterday' is not an ISO 8601 instant"),
            (["pipeline", "start", "ingest_orders", "--parent", "999999"], "pipeline execution 999999 not found"),
            (["lineage", "upstream", "nope"], "dataset 'nope' is not known"),
            (["dataset", "touch", "nope"], "dataset 'nope' is not known"),
        ] {
            let r = try await run(args)
            #expect(r.status == 2 && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
        }
    }

    @Test("worker --scheduler registers the freshness and timeliness schedules and runs their queues: a triggered check's result is kept with its job")
    func scheduledChecks() async throws {
        let cli = try CLITests()
        let store = try CLIStore.sqlite.url(in: cli.dir)
        #expect(try await cli.steward(["pipeline", "apply", Self.example, "--store", store]).status == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = ["worker", "--scheduler", "--store", store, "--log-level", "warning"]
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        #expect(
            try await eventually(timeout: .seconds(20)) {
                let list = try await cli.steward(["schedule", "list", "--json", "--store", store]).stdout
                return list.contains("steward.pipeline.freshness") && list.contains("steward.pipeline.timeliness")
            })
        for check in ["freshness", "timeliness"] {
            let triggered = try await cli.steward(["schedule", "trigger", "steward.pipeline.\(check)", "--json", "--store", store])
            let job = try #require((try JSONSerialization.jsonObject(with: Data(triggered.stdout.utf8)) as? [String: Any])?["id"] as? Int)
            var result: [String: Any] = [:]
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    let status = try await cli.steward(["job", "status", "\(job)", "--json", "--store", store]).stdout
                    guard let row = try? JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any], row["state"] as? String == "succeeded"
                    else { return false }
                    result = row["result"] as? [String: Any] ?? [:]
                    return true
                })
            if check == "freshness" {
                #expect((result["stale"] as? [[String: Any]])?.count == 3 && (result["fresh"] as? [Any])?.isEmpty == true, "\(result)")
            } else {
                #expect((result["late"] as? [Any])?.isEmpty == true, "\(result)")
            }
        }
        #expect(await WorkerProcesses.stopProcess(p) == 0)
    }
}
