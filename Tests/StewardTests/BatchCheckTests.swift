import Foundation
import Steward
import Logging
import StewardHTTP
import StewardQuality
import StewardSQLite
import Testing

@Suite("Batch data checks (steward quality check)")
struct BatchCheckTests {
    static let csv = """
        id,email,status,age,start,end
        1,a@x.io,ok,30,2026-01-01,2026-01-05
        2,,warn,200,2026-01-02,2026-01-01
        2,b@x.io,bad,abc,2026-01-03,2026-01-04
        3,not-an-email,ok,,2026-01-04,
        4,c@x.io,,40,2026-01-05,2026-01-06
        5,d@x.io,ok,20,2026-02-01,2026-02-02
        6,e@x.io,ok,21,2026-02-01,2026-02-02
        7,"f@x.io",warn,22,2026-02-01,2026-02-02
        8,g@x.io,ok,23,2026-02-01,2026-02-02
        9,h@x.io,ok,24,2026-02-01,2026-02-02

        """

    static let config = """
        checks:
          users:
            source: users.csv
            required_fields: [id, email, status]
            accuracy:
              - {field: status, allowed: [ok, warn]}
              - {field: age, min: 0, max: 130}
              - {field: email, pattern: "[^@]+@[^@]+"}
              - {field: age, type: int}
            consistency: {unique: [id], rules: ["end >= start"]}
        """

    func write(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    @Test("hand-computed: completeness per field and overall, accuracy counting every broken rule, duplicates and cross-field rules")
    func computed() throws {
        let dir = try write(["users.csv": Self.csv, "checks.yaml": Self.config])
        let check = try #require(try BatchCheck.load(path: dir.appendingPathComponent("checks.yaml").path).first)
        let r = try check.run()
        #expect(r.records == 10)
        // id 10/10, email 9/10 (one empty), status 9/10: overall (1 + 0.9 + 0.9) / 3.
        #expect(r.completeness.fields["id"]?.complete == 10 && r.completeness.fields["id"]?.rate == 1)
        #expect(r.completeness.fields["email"]?.complete == 9 && r.completeness.fields["email"]?.rate == 0.9)
        #expect(abs(r.completeness.overall - 2.8 / 3) < 1e-12)
        #expect(!r.completeness.passed)  // < 0.95
        // status 'bad'; age 200 and 'abc' (range); 'not-an-email' (pattern); 'abc' (type): 5 issues, the
        // third record counting three; a missing age breaks nothing.
        #expect(r.accuracy.issues == 5 && r.accuracy.rate == 0.5 && !r.accuracy.passed)
        #expect(r.accuracy.examples.count == 5 && r.accuracy.examples[0].contains("record 2"))
        // id 2 duplicated (one issue) and record 2's end before its start; record 4 has no end.
        #expect(r.consistency.issues == 2 && r.consistency.rate == 0.8)
        #expect(abs(r.overallScore - (0.4 * 2.8 / 3 + 0.3 * 0.5 + 0.3 * 0.8)) < 1e-12)
        #expect(!r.passedAll)

        // The same data as JSON Lines (null is missing) gives the same figures.
        let lines = Self.csv.split(separator: "\n").dropFirst().map { line -> String in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\"", with: "") }
            func v(_ s: String) -> String { s.isEmpty ? "null" : (Int(s) != nil ? s : "\"\(s)\"") }
            return "{\"id\": \(v(f[0])), \"email\": \(v(f[1])), \"status\": \(v(f[2])), \"age\": \(v(f[3])), \"start\": \(v(f[4])), \"end\": \(v(f[5]))}"
        }
        try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("users.jsonl"), atomically: true, encoding: .utf8)
        let fromJSON = try check.run(input: dir.appendingPathComponent("users.jsonl").path)
        #expect(fromJSON.records == 10 && fromJSON.accuracy.issues == 5 && fromJSON.consistency.issues == 2)
        #expect(fromJSON.completeness.overall == r.completeness.overall)
    }

    @Test("configuration mistakes name file:line:column", arguments: [
        ("checks:\n  c: {source: x.csv}\n", 2, "nothing to check"),
        ("checks:\n  c: {source: x.csv, accuracy: [{field: a, pattern: '('}]}\n", 2, "is not a regular expression"),
        ("checks:\n  c: {source: x.csv, accuracy: [{field: a, type: money}]}\n", 2, "'money' is not int"),
        ("checks:\n  c: {source: x.csv, consistency: {rules: ['a >> b']}}\n", 2, "is not FIELD OP"),
        ("checks:\n  c: {source: x.csv, required_fields: [a], weights: {completeness: 0.9}}\n", 2, "must add up to 1"),
        ("checks:\n  c: {source: x.csv, required_fields: [a], thresholds: {accuracy: 2}}\n", 2, "is not within 0...1"),
        ("checks:\n  c: {source: x.csv, accuracy: [{field: a, min: inf}]}\n", 2, "bounds must be finite"),
    ] as [(String, Int, String)])
    func mistakes(_ yaml: String, _ line: Int, _ message: String) {
        #expect {
            _ = try BatchCheck.parse(yaml, file: "c.yaml")
        } throws: { ($0 as? ConfigFileError)?.line == line && ($0 as? ConfigFileError)?.message.contains(message) == true }
    }

    @Test("the worked example in examples/quality/checks.yaml: the sensors' disguised -999 humidity readings are found")
    func example() throws {
        let path = examplesDirectory.deletingLastPathComponent().appendingPathComponent("quality/checks.yaml").path
        let r = try #require(try BatchCheck.load(path: path).first).run()
        #expect(r.records == 1187)
        #expect(r.completeness.fields["temperature"]?.complete == 1167)
        #expect(r.accuracy.issues == 5 && r.consistency.issues == 5 && r.passedAll)
        #expect(r.accuracy.examples.allSatisfy { $0.contains("humidity -999.0 is below 0.0") })
    }

    /// The 10 users above with the broken rows repaired: every rate 1.
    static let cleanCSV = (0..<10).map { "\($0 + 1),u\($0)@x.io,ok,\(20 + $0),2026-02-01,2026-02-02" }.joined(separator: "\n")

    @Test(
        "every run is stored; quality report: the latest run, each rate's change since the previous, the number of runs and the average score (--last N)",
        arguments: CLIStore.allCases.filter { $0 == .sqlite || PostgresTestDatabase.enabled })
    func report(_ kind: CLIStore) async throws {
        let dir = try write(["users.csv": Self.csv, "checks.yaml": Self.config, "clean.csv": "id,email,status,age,start,end\n" + Self.cleanCSV])
        let cli = try CLITests()
        let store = try kind.url(in: dir)
        let checks = dir.appendingPathComponent("checks.yaml").path
        // Run 1 fails (exit 1, still stored), run 2 reads the repaired file, run 3 the broken one again.
        let first = try await cli.steward(["quality", "check", checks, "--store", store])
        #expect(first.status == 1)
        #expect(try await cli.steward(["quality", "check", checks, "--input", dir.appendingPathComponent("clean.csv").path, "--store", store]).status == 0)
        let none = try await cli.steward(["quality", "report", "users", "--json", "--store", store])
        let two = try #require(try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any], "\(none.stderr)")
        let broken = 0.4 * 2.8 / 3 + 0.3 * 0.5 + 0.3 * 0.8
        #expect(two["runs"] as? Int == 2)
        #expect(abs((two["average_score"] as? Double ?? 0) - (broken + 1) / 2) < 1e-12)
        let change = try #require(two["change"] as? [String: Any])
        #expect(abs((change["completeness"] as? Double ?? 0) - (1 - 2.8 / 3)) < 1e-12)
        #expect(change["accuracy"] as? Double == 0.5 && abs((change["consistency"] as? Double ?? 0) - 0.2) < 1e-12)
        #expect(abs((change["overall_score"] as? Double ?? 0) - (1 - broken)) < 1e-12)
        let latest = try #require(two["latest"] as? [String: Any])
        #expect(latest["passed_all"] as? Bool == true && latest["records"] as? Int == 10)
        #expect(Set(latest.keys) == ["id", "check", "at", "records", "completeness", "accuracy", "consistency", "overall_score", "passed_all"])
        #expect((two["previous"] as? [String: Any])?["passed_all"] as? Bool == false)

        #expect(try await cli.steward(["quality", "check", checks, "--store", store]).status == 1)
        let three = try #require(
            try JSONSerialization.jsonObject(with: Data(try await cli.steward(["quality", "report", "users", "--json", "--store", store]).stdout.utf8))
                as? [String: Any])
        #expect(three["runs"] as? Int == 3 && abs((three["average_score"] as? Double ?? 0) - (2 * broken + 1) / 3) < 1e-12)
        #expect(abs(((three["change"] as? [String: Any])?["overall_score"] as? Double ?? 0) - (broken - 1)) < 1e-12)
        let lastTwo = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try await cli.steward(["quality", "report", "users", "--last", "2", "--json", "--store", store]).stdout.utf8)) as? [String: Any])
        #expect(lastTwo["runs"] as? Int == 2 && abs((lastTwo["average_score"] as? Double ?? 0) - (broken + 1) / 2) < 1e-12)
        let text = try await cli.steward(["quality", "report", "users", "--store", store])
        #expect(text.status == 0 && text.stdout.contains("check users: 3 runs") && text.stdout.contains("-20.00 pp"), "\(text.stdout)")
        let missing = try await cli.steward(["quality", "report", "nope", "--store", store])
        #expect(missing.status == 2 && missing.stderr.contains("check 'nope' has no stored runs"))
    }

    @Test("a quality job from the serve configuration: its run is stored; a failing check ends the job dead with the rates named")
    func job() async throws {
        let dir = try write(["users.csv": Self.csv, "checks.yaml": Self.config])
        let config = try ServeConfiguration.parse(
            """
            jobs:
              nightly-users: {executor: quality, config: checks.yaml, check: users}
            """, file: dir.appendingPathComponent("steward.yaml").path)
        let store = try SQLiteJobStore(url: "sqlite:" + dir.appendingPathComponent("q.db").path)
        try await store.migrate()
        let handler = try #require(config.jobs["nightly-users"]).handler()
        let context = JobContext(
            id: JobID(1), name: "nightly-users", queue: "default", attempt: 1, maxAttempts: 3, metadata: [:], payload: "{}", enqueuedAt: Date(),
            workerID: "w", logger: Logger(label: "t"), client: StewardClient(store: store))
        let error = await #expect(throws: PermanentJobError.self) { _ = try await handler("{}", context) }
        #expect(error?.message.hasPrefix("check 'users' failed: completeness 0.933") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("accuracy 0.5, consistency 0.8") == true)
        #expect(try await store.qualityRuns(check: "users", limit: 5).map(\.passedAll) == [false])
        try "id,email,status,age,start,end\n\(Self.cleanCSV)".write(to: dir.appendingPathComponent("users.csv"), atomically: true, encoding: .utf8)
        let result = try await handler("{}", context)
        #expect(result?.contains(#""passed_all":true"#) == true)
        #expect(try await store.qualityRunStats(check: "users").count == 2)
        for (yaml, message) in [
            ("jobs: {q: {executor: quality}}", "missing 'config'"),
            ("jobs: {q: {executor: quality, config: nope.yaml}}", "cannot read the file"),
            ("jobs: {q: {executor: quality, config: checks.yaml, check: other}}", "check: name one of users ('other' is not there)"),
        ] {
            let e = #expect(throws: ConfigFileError.self) { try ServeConfiguration.parse(yaml, file: dir.appendingPathComponent("s.yaml").path) }
            #expect(e.map { "\($0)" }?.contains(message) == true, "\(e.map { "\($0)" } ?? "")")
        }
        try await store.close()
    }
}
