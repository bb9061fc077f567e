import Foundation
import Steward
import Logging
import StewardConfig
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

    @Test("a field the check names but the data lacks: a CSV column is an error naming it (did you mean); JSON Lines lists it and fails")
    func missingFields() throws {
        let typo = Self.config.replacingOccurrences(of: "{field: age, min: 0, max: 130}", with: "{field: agee, min: 0, max: 130}")
        let dir = try write(["users.csv": Self.csv, "checks.yaml": typo])
        let check = try #require(try BatchCheck.load(path: dir.appendingPathComponent("checks.yaml").path).first)
        #expect {
            _ = try check.run()
        } throws: { error in
            let text = "\(error)"
            return text.contains("check 'users': accuracy names field 'agee', which is not a column of")
                && text.contains("did you mean 'age'?") && text.contains("columns: id, email, status, age, start, end")
        }
        let rules = Self.config.replacingOccurrences(of: "rules: [\"end >= start\"]", with: "rules: [\"finish >= start\"]")
        try rules.write(to: dir.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
        let ruleCheck = try #require(try BatchCheck.load(path: dir.appendingPathComponent("rules.yaml").path).first)
        #expect { _ = try ruleCheck.run() } throws: { "\($0)".contains("consistency rule 'finish >= start' names field 'finish'") }
        // JSON Lines: no header to check against, so a field never seen is reported and fails.
        try "{\"id\": 1, \"email\": \"a@x.io\", \"status\": \"ok\", \"age\": 3, \"start\": \"a\", \"end\": \"b\"}\n"
            .write(to: dir.appendingPathComponent("u.jsonl"), atomically: true, encoding: .utf8)
        let fromJSON = try ruleCheck.run(input: dir.appendingPathComponent("u.jsonl").path)
        #expect(fromJSON.missingFields == ["finish"] && !fromJSON.passedAll)
        #expect(try check.run(input: dir.appendingPathComponent("u.jsonl").path).missingFields == ["agee"])
        let json = try JSONCoding.encode(try #require(try BatchCheck.load(path: dir.appendingPathComponent("checks.yaml").path).first)
            .run(input: dir.appendingPathComponent("u.jsonl").path))
        #expect(json.contains(#""missing_fields":["agee"]"#))
    }

    @Test("docs/quality.md shows examples/quality/checks.yaml as shipped")
    func docsShowTheExample() throws {
        let doc = try String(contentsOf: DocScript.repository.appendingPathComponent("docs/quality.md"), encoding: .utf8)
        let section = try #require(doc.range(of: "## Batch checks (`steward quality check`)"))
        let rest = doc[section.upperBound...]
        let open = try #require(rest.range(of: "```yaml\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        let shown = String(rest[open.upperBound..<close.lowerBound])
        let shipped = try String(contentsOf: DocScript.repository.appendingPathComponent("examples/quality/checks.yaml"), encoding: .utf8)
        #expect(shown == shipped)
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

    @Test("the CSV reader: quotes, doubled quotes, separators and line breaks inside quotes, CRLF, a BOM, blank lines, no final line break, records across its 4 MiB reads")
    func csvReader() throws {
        // 60,000 records of ~100 bytes (6 MB): records straddle the buffer's refills.
        var csv = "\u{FEFF}id,note,status\r\n"
        for i in 0..<60_000 {
            let note: String
            switch i % 4 {
            case 0: note = #""a, \#(i) ""quoted"" word""#
            case 1: note = "\"two\nlines \(i)\""
            case 2: note = ""
            default: note = "plain \(i) " + String(repeating: "x", count: 60)
            }
            csv += "\(i),\(note),\(i % 10 == 0 ? "bad" : "ok")\(i % 3 == 0 ? "\r\n" : "\n")"
            if i % 1_000 == 0 { csv += "\n" }
        }
        csv += "60000,\"last, \"\"one\"\"\",ok"  // no final line break
        let dir = try write(["notes.csv": csv])
        let check = try BatchCheck.parse(
            """
            checks:
              notes:
                source: notes.csv
                required_fields: [id, note]
                accuracy:
                  - {field: status, allowed: [ok]}
                  - {field: note, pattern: "(a, [0-9]+ \\"quoted\\" word)|(two\\nlines [0-9]+)|(plain [0-9]+ x+)|(last, \\"one\\")"}
                consistency: {unique: [id]}
                thresholds: {completeness: 0, accuracy: 0, consistency: 0}
            """, file: "notes.yaml", baseDirectory: dir.path)[0]
        let r = try check.run()
        #expect(r.records == 60_001)
        #expect(r.completeness.fields["id"]?.complete == 60_001)
        #expect(r.completeness.fields["note"]?.complete == 60_001 - 15_000)  // every fourth note is empty
        #expect(r.accuracy.issues == 6_000, "\(r.accuracy.examples)")  // only the 'bad' statuses: every note matched its pattern
        #expect(r.consistency.issues == 0)
    }

    @Test("simple patterns are matched on bytes exactly as NSRegularExpression matches them (differential, 40 patterns × 2,000 values)")
    func simplePatterns() throws {
        let patterns = [
            "[^@]+@[^@]+", "s[0-9]+", "[A-Z]{3}-\\d{4}", "\\w+", "\\d{2,4}", "a.c", "[a-c-]+", "[-x]?y*", "\\s*ok\\s*", "[^a-z]*",
            "x{0,2}y{1,}", "\\.\\-\\[", "[\\d_]+", "\\D\\W\\S", ".*", ".+@.+\\..+", "ab?c", "[]a]+", "[a\\]]", "[0-9a-fA-F]{1,8}",
            "(ab)+", "a|b", "^a", "a$", "[[:alpha:]]+", "(?i)abc", "a*?", "a++", "[a-z&&[^m]]+", "\\bword\\b",
            "[\\w.+-]+@[\\w-]+\\.[\\w.]+", "\\d+\\.\\d{2}", "[ ]+", " +x", "a{3}", "a{2,}b", "[^\\s]+", "\\p{L}+", "[z-a]", "\\u0041",
        ]
        // Seeded: the same values every run.
        struct LCG: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state >> 11 | state << 53
            }
        }
        var rng = LCG(state: 20_261_130)
        let alphabet = Array("ab cxyzAZ09_@.-]\t\n\r\u{0B}ok".unicodeScalars)
        var values = ["", "a", "abc", "s12", "ABC-1234", "user@example.com", "a@b.c", "12.50", "  ok ", "ab", "aab", "aaab", "xxy"]
        for _ in 0..<1_987 {
            values.append(String(String.UnicodeScalarView((0..<Int.random(in: 1...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })))
        }
        var handled = 0
        for p in patterns {
            guard let simple = SimplePattern(p) else { continue }
            handled += 1
            let regex = try NSRegularExpression(pattern: "\\A(?:\(p))\\z")
            for v in values {
                let icu = regex.firstMatch(in: v, range: NSRange(v.startIndex..., in: v)) != nil
                let bytes = Array(v.utf8)
                let mine = bytes.withUnsafeBufferPointer { simple.matches($0) }
                #expect(mine == nil || mine == icu, "pattern \(p) value \(v.debugDescription): bytes \(String(describing: mine)), ICU \(icu)")
            }
        }
        #expect(handled >= 25, "the byte matcher took \(handled) patterns")
        // What it does not know is left to ICU.
        for p in ["(ab)+", "a|b", "^a", "(?i)abc", "a*?", "\\bword\\b", "\\p{L}+", "[[:alpha:]]+"] { #expect(SimplePattern(p) == nil, "\(p)") }
    }

    @Test("unique fields past their memory table spill to disk and find exactly the same repeats and examples")
    func uniqueSpill() throws {
        // 30,000 records; ids repeat early (within the table), across the switch, and late; emails
        // are unique but for two late repeats.
        var csv = "id,email\n"
        var counts: [Int: Int] = [:]
        for i in 0..<30_000 {
            var id = i
            if i % 1_000 == 999 { id = i / 2 }  // mostly a value seen earlier
            if i == 29_990 || i == 29_991 { id = 777_777 }  // a new value repeated late
            counts[id, default: 0] += 1
            let email = i == 29_995 ? "u5@x.io" : i == 29_996 ? "u6@x.io" : "u\(i)@x.io"
            csv += "\(id),\(email)\n"
        }
        let dir = try write(["ids.csv": csv])
        var check = try BatchCheck.parse(
            "checks:\n  ids:\n    source: ids.csv\n    consistency: {unique: [id, email]}\n", file: "c.yaml", baseDirectory: dir.path)[0]
        check.maxExamples = 40
        let inMemory = try check.run()
        check.uniqueTableSlots = 1 << 11  // about 1,500 values, then disk
        let spilled = try check.run()
        #expect(inMemory.consistency.issues == counts.values.filter { $0 >= 2 }.count + 2)
        #expect(spilled.consistency.issues == inMemory.consistency.issues)
        #expect(spilled.consistency.examples == inMemory.consistency.examples)
        #expect(spilled.consistency.examples.contains("record 29992: id '777777' is not unique"))
        #expect(spilled.consistency.examples.last == "record 29997: email 'u6@x.io' is not unique")
    }

    @Test("an unclosed quote does not read the whole file into one record: past the record limit the check stops, saying why")
    func unclosedQuote() throws {
        // One quote opened on the first record and never closed; 4 MB of plain records after it.
        let row = "2,plain " + String(repeating: "y", count: 100) + "\n"
        let dir = try write([
            "bad.csv": "id,note\n1,\"never closed\n" + String(repeating: row, count: 40_000), "bad.jsonl": String(repeating: "{", count: 4_000_000),
        ])
        var check = try BatchCheck.parse(
            "checks:\n  bad:\n    source: bad.csv\n    required_fields: [id]\n", file: "c.yaml", baseDirectory: dir.path)[0]
        check.maxRecordBytes = 1 << 20
        for input in ["bad.csv", "bad.jsonl"] {
            let error = #expect(throws: StewardError.self) { try check.run(input: dir.appendingPathComponent(input).path) }
            #expect("\(error.map { "\($0)" } ?? "")".contains("a record is longer than 1 MiB"), "\(input)")
        }
    }
}

