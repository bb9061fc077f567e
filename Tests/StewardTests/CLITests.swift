import Foundation
import Steward
import StewardConfig
import StewardHTTP
import StewardSQLite
import Testing

/// The `steward` binary, end to end: exit codes, one-line errors, stable `--json` shapes, the demo.
@Suite("steward CLI", .serialized)
struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let dir: URL
    let store: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = "sqlite:\(dir.appendingPathComponent("cli.db").path)"
    }

    @discardableResult
    func steward(_ args: [String], interruptAfter: Duration? = nil) async throws -> Run {
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)")
        let err = dir.appendingPathComponent("err-\(UUID().uuidString)")
        let p = try Spawned(WorkerProcesses.binary, args, directory: dir.path, stdout: out.path, stderr: err.path)
        if let interruptAfter {
            try await Task.sleep(for: interruptAfter)
            p.signal(SIGINT)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while p.status == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        if p.status == nil {
            p.signal(SIGTERM)
            while p.status == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        return Run(
            status: p.status ?? -1, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("job enqueue prints the id; job status --json reports state, attempts, progress and error with a fixed key set")
    func jobStatusJSON() async throws {
        let enqueued = try await steward(["job", "enqueue", "steward.fail", "--store", store, "--payload", #"{"message":"boom"}"#, "--max-attempts", "2", "--meta", "team=ops"])
        #expect(enqueued.status == 0)
        let id = enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(JobID(id) != nil, "not an id: \(id)")

        let waiting = try json(try await steward(["job", "status", id, "--json", "--store", store]).stdout)
        let keys: Set<String> = [
            "id", "queue", "name", "state", "attempt", "max_attempts", "retries", "priority", "payload", "progress", "error",
            "result", "metadata", "unique_key", "original_queue", "lease_owner", "depends_on", "run_at", "created_at", "started_at",
            "finished_at",
        ]
        #expect(Set(waiting.keys) == keys)
        #expect(waiting["state"] as? String == "available")
        #expect(waiting["max_attempts"] as? Int == 2)
        #expect((waiting["metadata"] as? [String: String]) == ["team": "ops"])

        // Run it to the end with a worker in-process: two failed attempts, then the dead-letter queue.
        let sqlite = try SQLiteJobStore(url: store)
        let registry = JobRegistry()
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        registry.register(name: "steward.fail") { _, _ in throw Boom() }
        let queue = QueueConfiguration(name: "default", retryPolicy: .fixed(maxAttempts: 2, delay: .milliseconds(10)))
        try await withWorker(store: sqlite, registry: registry, queues: [queue]) { _ in
            let died = try await eventually { try await sqlite.job(JobID(id)!, now: Date())?.state == .dead }
            #expect(died)
        }
        try await sqlite.close()

        let dead = try json(try await steward(["job", "status", id, "--json", "--store", store]).stdout)
        #expect(Set(dead.keys) == keys)
        #expect(dead["state"] as? String == "dead")
        #expect(dead["attempt"] as? Int == 2)
        #expect(dead["retries"] as? Int == 1)
        #expect(dead["queue"] as? String == "default-dlq")
        #expect(dead["original_queue"] as? String == "default")
        let error = try #require(dead["error"] as? [String: Any])
        #expect(error["type"] as? String == "Boom")
        #expect(error["message"] as? String == "boom")
        #expect(error["attempt"] as? Int == 2)

        let text = try await steward(["job", "status", id, "--store", store])
        #expect(text.stdout.contains("state:     dead (attempt 2/2, 1 retry)"))
        #expect(text.stdout.contains("error:     Boom: boom (attempt 2)"))
    }

    @Test("queue stats --json reports counts by state, running, the last minute and the oldest wait")
    func queueStatsJSON() async throws {
        for _ in 0..<3 { try await steward(["job", "enqueue", "steward.noop", "--queue", "reports", "--store", store]) }
        try await steward(["job", "enqueue", "steward.noop", "--queue", "reports", "--delay", "1h", "--store", store])
        let run = try await steward(["queue", "stats", "reports", "--json", "--store", store])
        #expect(run.status == 0)
        let stats = try json(run.stdout)
        #expect(
            Set(stats.keys)
                == [
                    "queue", "paused", "counts", "running", "succeeded_last_minute", "failed_last_minute", "error_rate",
                    "oldest_waiting_age_s",
                ])
        let counts = try #require(stats["counts"] as? [String: Int])
        #expect(counts == ["waiting": 0, "scheduled": 1, "available": 3, "running": 0, "succeeded": 0, "cancelled": 0, "dead": 0])
        #expect(stats["paused"] as? Bool == false)
        try await steward(["queue", "pause", "reports", "--store", store])
        #expect(try json(try await steward(["queue", "stats", "reports", "--json", "--store", store]).stdout)["paused"] as? Bool == true)
        let list = try await steward(["queue", "list", "--store", store])
        #expect(list.stdout.contains("reports"))
        #expect(list.stdout.contains("paused"))
    }

    @Test(
        "bad input exits non-zero with one line naming what is wrong",
        arguments: [
            (["job", "status", "abc"], "job id: 'abc'"),
            (["job", "status", "999"], "job 999 not found"),
            (["job", "enqueue", "x", "--payload", "{nope"], "--payload: not valid JSON"),
            // EnqueueRequest's rule (field max_attempts, as the API answers it), printed as the flag.
            (["job", "enqueue", "x", "--max-attempts", "0"], "--max-attempts: must be at least 1, got 0"),
            (["job", "enqueue", "x", "--max-attempts", "99999999999"], "--max-attempts: must be between 1 and 2147483647"),
            (["job", "enqueue", "x", "--delay", "soon"], "--delay: 'soon' is not a duration"),
            (["job", "list", "--state", "sleeping"], "'sleeping' is not a job state"),
            (["job", "cancel", "1", "--store", "mysql://x"], "unsupported URL 'mysql://x'"),
            (["job", "list", "--store", "sqlite:/tmp/x.db?synchronous=sometimes"], "unknown option 'synchronous=sometimes'"),
            (["job", "enqueue", "x", "--after", "1,abc"], "--after: 'abc' is not a job id"),
            (["job", "enqueue", "x", "--after", "999"], "after: job 999 not found (never enqueued, or purged"),
        ])
    func badInput(args: [String], message: String) async throws {
        let withStore = args.contains("--store") ? args : args + ["--store", store]
        let run = try await steward(withStore)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "stderr was: \(run.stderr)")
        let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errorLines.count == 1, "stderr was: \(run.stderr)")
    }

    @Test("job enqueue --after: the child waits, status shows its parents, and it is released when they finish")
    func after() async throws {
        func enqueue(_ extra: [String]) async throws -> String {
            let run = try await steward(["job", "enqueue", "steward.noop", "--store", store] + extra)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let a = try await enqueue([])
        let b = try await enqueue([])
        let child = try json(try await steward(["job", "enqueue", "steward.noop", "--after", "\(a),\(b)", "--json", "--store", store]).stdout)
        #expect(child["state"] as? String == "waiting")
        let id = try #require(child["id"] as? Int)
        let status = try json(try await steward(["job", "status", "\(id)", "--json", "--store", store]).stdout)
        #expect(status["depends_on"] as? [Int] == [Int(a)!, Int(b)!])
        #expect(try await steward(["job", "status", "\(id)", "--store", store]).stdout.contains("after:     \(a), \(b)"))
        let listed = try await steward(["job", "list", "--state", "waiting", "--json", "--store", store])
        let rows = try #require(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["id"] as? Int } == [id], "\(listed.stdout)")
        _ = try await steward(["job", "cancel", a, "--store", store])
        #expect(try json(try await steward(["job", "status", "\(id)", "--json", "--store", store]).stdout)["state"] as? String == "waiting")
        _ = try await steward(["job", "cancel", b, "--store", store])
        #expect(try json(try await steward(["job", "status", "\(id)", "--json", "--store", store]).stdout)["state"] as? String == "available")
    }

    @Test("a code workflow from the CLI: run --id, status --json with its steps and wait, signal, run --wait, list, logs, retry refused")
    func codeWorkflows() async throws {
        let started = try await steward([
            "workflow", "run", "steward.durable.approval", "--id", "ord-7", "--input", #"{"order":"7","sleep_s":0.2}"#, "--store", store,
        ])
        #expect(started.status == 0 && started.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ord-7", "\(started.stderr)")
        #expect(!started.stderr.contains("no workflow definition"), "\(started.stderr)")
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        worker.arguments = ["worker", "--store", store, "--log-level", "error"]
        try worker.run()
        defer { if worker.isRunning { worker.terminate() } }
        var view: [String: Any] = [:]
        let waiting = try await eventually(timeout: .seconds(20)) {
            view = try json(try await steward(["workflow", "status", "ord-7", "--json", "--store", store]).stdout)
            return (view["waiting"] as? [String: Any])?["kind"] as? String == "message"
        }
        #expect(waiting, "\(view)")
        #expect(view["kind"] as? String == "code" && view["version"] is NSNull && view["state"] as? String == "running")
        #expect((view["waiting"] as? [String: Any])?["topic"] as? String == "approve")
        let steps = try #require(view["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["kind"] as? String } == ["step", "sleep", "receive"])
        #expect(
            steps.allSatisfy {
                Set($0.keys) == ["seq", "name", "kind", "state", "attempts", "output", "error", "started_at", "finished_at", "until"]
            })
        let human = try await steward(["workflow", "status", "ord-7", "--store", store])
        #expect(human.stdout.contains("waiting:  message on 'approve'") && human.stdout.contains("(code workflow)"), "\(human.stdout)")
        let signal = try await steward(["workflow", "signal", "ord-7", "approve", "--payload", #"{"by":"ops"}"#, "--store", store])
        #expect(signal.status == 0, "\(signal.stderr)")
        let done = try json(try await steward(["workflow", "run", "steward.durable.approval", "--id", "ord-7", "--wait", "--json", "--store", store]).stdout)
        #expect(done["state"] as? String == "succeeded")
        #expect((done["output"] as? [String: Any])?["approved_by"] as? String == "ops", "\(done)")
        let listed = try json(try await steward(["workflow", "list", "--json", "--store", store]).stdout)
        let rows = try #require(listed["runs"] as? [[String: Any]])
        #expect(rows.contains { $0["id"] as? String == "ord-7" && $0["kind"] as? String == "code" })
        let logs = try await steward(["workflow", "logs", "ord-7", "--store", store])
        #expect(logs.stdout.contains("3 receive approve") && logs.stdout.contains("finished"), "\(logs.stdout)")
        let retry = try await steward(["workflow", "retry", "ord-7", "--store", store])
        #expect(retry.status == 1 && retry.stderr.contains("only a failed run is retried"), "\(retry.stderr)")
        let late = try await steward(["workflow", "signal", "ord-7", "approve", "--store", store])
        #expect(late.status == 1 && late.stderr.contains("only a running run receives messages"), "\(late.stderr)")
        worker.terminate()
        #expect(await exitStatus(of: worker) == 0)
    }

    @Test("workflow apply, run --wait (exit 0 / 1 / 3), status --json with a fixed key set, logs, list; file errors exit 2")
    func workflows() async throws {
        let file = examplesDirectory.appendingPathComponent("echo.yaml").path
        let applied = try await steward(["workflow", "apply", file, "--store", store])
        #expect(applied.status == 0 && applied.stdout.contains("hello version 1: created"), "\(applied.stderr)")
        // No worker yet: --wait gives up with exit 3.
        let waited = try await steward(["workflow", "run", "hello", "--input", #"{"name":"Ada"}"#, "--wait", "--wait-timeout", "300ms", "--store", store])
        #expect(waited.status == 3, "\(waited.stderr)")
        #expect(waited.stderr.contains("timed out waiting for workflow run"))
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        worker.arguments = ["worker", "--store", store, "--log-level", "error"]
        try worker.run()
        defer { if worker.isRunning { worker.terminate() } }
        let run = try await steward(["workflow", "run", "hello", "--input", #"{"name":"Bo"}"#, "--wait", "--json", "--store", store])
        #expect(run.status == 0, "\(run.stderr)")
        let view = try json(run.stdout)
        #expect(
            Set(view.keys) == [
                "id", "kind", "workflow", "version", "state", "input", "output", "error", "generation", "waiting", "created_at", "finished_at",
                "tasks", "steps",
            ])
        #expect(view["kind"] as? String == "dag")
        #expect(view["state"] as? String == "succeeded")
        let tasks = try #require(view["tasks"] as? [[String: Any]])
        #expect(tasks.map { Set($0.keys) } == Array(repeating: ["name", "job", "depends_on", "state", "attempts", "output", "error", "items", "started_at", "finished_at"], count: 2))
        #expect((view["output"] as? [String: Any])?["shout"] != nil)
        let id = try #require(view["id"] as? String)
        let logs = try #require(JSONSerialization.jsonObject(with: Data(try await steward(["workflow", "logs", id, "--json", "--store", store]).stdout.utf8)) as? [[String: Any]])
        #expect(logs.allSatisfy { Set($0.keys) == ["at", "event", "task", "attempt", "worker", "message"] })
        #expect(logs.compactMap { $0["event"] as? String }.filter { $0 == "succeeded" }.count == 2)
        let human = try await steward(["workflow", "status", id, "--store", store])
        #expect(human.stdout.contains("state:    succeeded") && human.stdout.contains("greet"))
        #expect(try await steward(["workflow", "list", "--store", store]).stdout.contains("hello"))
        // Only a failed or cancelled execution is retried: a wrong state exits 1.
        #expect(try await steward(["workflow", "retry", id, "--store", store]).status == 1)

        let bad = dir.appendingPathComponent("bad.yaml")
        try "workflows:\n  w:\n    tasks:\n      - name: a\n        depends_on: [a]\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await steward(["workflow", "apply", bad.path, "--store", store])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.yaml:5:21: workflow 'w': cycle: a -> a"), "\(refused.stderr)")
        // A name with no definition starts a code workflow's run, and says so.
        let unknown = try await steward(["workflow", "run", "nope", "--store", store])
        #expect(unknown.status == 0 && unknown.stderr.contains("no workflow definition is named 'nope'"), "\(unknown.stderr)")
        let versioned = try await steward(["workflow", "run", "nope", "--version", "2", "--store", store])
        #expect(versioned.status == 2 && versioned.stderr.contains("workflow 'nope' version '2' not found (known workflows: 'hello')"), "\(versioned.stderr)")
        let status = try await steward(["workflow", "status", "wr-missing", "--store", store])
        #expect(status.status == 2 && status.stderr.contains("workflow run 'wr-missing' not found"))
        worker.terminate()
        #expect(await exitStatus(of: worker) == 0)
    }

    @Test("quality check: JSON with the documented keys; exit 1 when a check fails, 0 when it passes, 2 on a bad config")
    func qualityCheck() async throws {
        try BatchCheckTests.csv.write(to: dir.appendingPathComponent("users.csv"), atomically: true, encoding: .utf8)
        try BatchCheckTests.config.write(to: dir.appendingPathComponent("checks.yaml"), atomically: true, encoding: .utf8)
        let failing = try await steward(["quality", "check", dir.appendingPathComponent("checks.yaml").path, "--json"])
        #expect(failing.status == 1, "\(failing.stderr)")
        let result = try json(failing.stdout)
        #expect(Set(result.keys) == ["records", "completeness", "accuracy", "consistency", "overall_score", "passed_all", "missing_fields"])
        #expect((result["missing_fields"] as? [String]) == [])
        #expect(result["records"] as? Int == 10 && result["passed_all"] as? Bool == false)
        #expect(Set((result["accuracy"] as? [String: Any])?.keys ?? [:].keys) == ["rate", "issues", "passed", "examples"])
        let lenient = BatchCheckTests.config + "\n    thresholds: {completeness: 0.9, accuracy: 0.5, consistency: 0.8}\n"
        try lenient.write(to: dir.appendingPathComponent("lenient.yaml"), atomically: true, encoding: .utf8)
        let passing = try await steward(["quality", "check", dir.appendingPathComponent("lenient.yaml").path])
        #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
        #expect(passing.stdout.contains("check users: 10 records") && passing.stdout.contains("accuracy      50.00 %"))
        try "checks:\n  c: {source: x.csv, accuracy: [{field: a, type: money}]}\n".write(
            to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try await steward(["quality", "check", dir.appendingPathComponent("bad.yaml").path])
        #expect(bad.status == 2 && bad.stderr.contains("bad.yaml:2:"), "\(bad.stderr)")
    }

    @Test("--help and help print the command's help and exit 0", arguments: [["--help"], ["job", "--help"], ["workflow", "run", "--help"], ["help", "serve"]])
    func help(_ args: [String]) async throws {
        let run = try await steward(args)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("OVERVIEW:") && run.stdout.contains("USAGE:"), "\(run.stdout)\(run.stderr)")
        #expect(!run.stderr.contains("Error"))
    }

    @Test("cancel and retry from the command line")
    func cancelRetry() async throws {
        let id = try await steward(["job", "enqueue", "steward.noop", "--store", store]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await steward(["job", "cancel", id, "--store", store]).stdout.contains("cancelled"))
        let again = try await steward(["job", "cancel", id, "--store", store])
        #expect(again.status != 0)
        #expect(again.stderr.contains("cannot cancel job \(id): it is cancelled"))
        #expect(try await steward(["job", "retry", id, "--store", store]).stdout.contains("available on queue default"))
        #expect(!again.stderr.contains("--help"))
        // Workflow runs follow the same rule: a wrong state exits 1 and says so, with no usage hint.
        let file = dir.appendingPathComponent("w.yaml")
        try "workflows:\n  w: {version: 1, tasks: [{name: a, job: steward.noop}]}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await steward(["workflow", "apply", file.path, "--store", store]).status == 0)
        let run = try await steward(["workflow", "run", "w", "--store", store]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let retry = try await steward(["workflow", "retry", run, "--store", store])
        #expect(retry.status == 1 && retry.stderr.contains("cannot retry workflow run '\(run)': it is running"), "\(retry.stderr)")
        #expect(try await steward(["workflow", "cancel", run, "--store", store]).status == 0)
        let cancelTwice = try await steward(["workflow", "cancel", run, "--store", store])
        #expect(cancelTwice.status == 1, "\(cancelTwice.stderr)")
        #expect(cancelTwice.stderr.contains("cannot cancel workflow run '\(run)'"), "\(cancelTwice.stderr)")
        #expect(!cancelTwice.stderr.contains("--help"))
    }

    @Test("text output: history numbered across a retry, schedule list in aligned columns with skipped/missed, config validate says none")
    func textOutput() async throws {
        let id = try await steward(["job", "enqueue", "steward.fail", "--max-attempts", "1", "--payload", #"{"message":"boom"}"#, "--store", store])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let sqlite = try SQLiteJobStore(url: store)
        let registry = JobRegistry()
        struct Boom: Error {}
        registry.register(name: "steward.fail") { _, _ in throw Boom() }
        try await withWorker(store: sqlite, registry: registry, queues: [QueueConfiguration(name: "default")]) { _ in
            #expect(try await eventually { try await sqlite.job(JobID(id)!, now: Date())?.state == .dead })
            _ = try await steward(["job", "retry", id, "--store", store])
            #expect(try await eventually { try await sqlite.job(JobID(id)!, now: Date())?.state == .dead })
        }
        let history = try await steward(["job", "history", id, "--store", store]).stdout.split(separator: "\n")
        #expect(history.count == 3, "\(history)")
        #expect(history.first?.hasPrefix("#1  attempt 1") == true && history.last?.hasPrefix("#2  attempt 1") == true, "\(history)")
        #expect(history[1] == "-- job retried: its attempts start again")

        let long = "a-schedule-with-a-rather-long-name-for-its-column"
        _ = try await steward(["schedule", "add", long, "--every", "5m", "--job", "steward.noop", "--store", store])
        _ = try await steward(["schedule", "add", "short", "--cron", "0 9 * * *", "--job", "steward.noop", "--store", store])
        let lines = try await steward(["schedule", "list", "--store", store]).stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("NAME") == true && lines.first?.contains("SKIPPED") == true && lines.first?.contains("MISSED") == true)
        // Every row's STATE column starts where the header's does.
        let column = try #require(lines.first?.range(of: "STATE")).lowerBound.utf16Offset(in: lines[0])
        for line in lines.dropFirst() {
            let state = line.dropFirst(column).prefix(6)
            #expect(state == "active", "\(line)")
        }

        // schedule update takes the trigger as schedule add and PUT /api/v1/schedules/NAME do
        // (one parser): a cron keeps the schedule's zone, an interval replaces it, both is refused.
        _ = try await steward(["schedule", "add", "zoned", "--cron", "0 9 * * *", "--timezone", "Europe/Paris", "--job", "steward.noop", "--store", store])
        #expect(try await steward(["schedule", "update", "zoned", "--cron", "30 8 * * *", "--store", store]).status == 0)
        func trigger() async throws -> String? {
            let rows = try JSONSerialization.jsonObject(with: Data(try await steward(["schedule", "list", "--json", "--store", store]).stdout.utf8))
            return (rows as? [[String: Any]])?.first { $0["name"] as? String == "zoned" }?["trigger"] as? String
        }
        #expect(try await trigger() == "cron 30 8 * * * (Europe/Paris)")
        #expect(try await steward(["schedule", "update", "zoned", "--every", "90s", "--store", store]).status == 0)
        #expect(try await trigger() == "every 90.0s")
        let both = try await steward(["schedule", "update", "zoned", "--every", "90s", "--cron", "* * * * *", "--store", store])
        #expect(both.status == 2 && both.stderr.contains("--cron: give exactly one of cron and every"), "\(both.stderr)")
        let misfire = try await steward(["schedule", "add", "m", "--every", "1m", "--misfire", "catchup:0", "--job", "steward.noop", "--store", store])
        #expect(misfire.status == 2 && misfire.stderr.contains("--misfire: 'catchup:0' needs a number of at least 1"), "\(misfire.stderr)")

        let validated = try await steward(["config", "validate", DocScript.repository.appendingPathComponent("examples/steward.yaml").path])
        #expect(validated.stdout.contains("jobs       none"), "\(validated.stdout)")
    }

    @Test("token create prints a token once and the configuration line that admits it; backup copies a live SQLite store")
    func tokenAndBackup() async throws {
        let made = try json(try await steward(["token", "create", "grafana", "--scope", "read", "--json"]).stdout)
        let token = try #require(made["token"] as? String)
        let hash = try #require(made["sha256"] as? String)
        #expect(token.count >= 40 && hash == AccessToken.sha256Hex(token))
        let line = try #require(made["config_line"] as? String)
        let config = try ServeConfiguration.parse("auth:\n  tokens:\n\(line)\n", file: "t.yaml")
        #expect(config.api.tokens.count == 1 && config.api.tokens.first?.name == "grafana")
        #expect(try await steward(["token", "create", "x", "--scope", "root"]).status == 2)
        let text = try await steward(["token", "create", "ci", "--scope", "admin"]).stdout
        #expect(text.contains("shown once") && text.contains("scope: admin}"))

        let id = try await steward(["job", "enqueue", "steward.noop", "--store", store]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let copy = dir.appendingPathComponent("backup.db").path
        let backup = try await steward(["backup", copy, "--store", store])
        #expect(backup.status == 0 && backup.stdout.contains("backed up"), "\(backup.stderr)")
        let status = try json(try await steward(["job", "status", id, "--json", "--store", "sqlite:" + copy]).stdout)
        #expect(status["name"] as? String == "steward.noop")
        let again = try await steward(["backup", copy, "--store", store])
        #expect(again.status == 2 && again.stderr.contains("exists already"))
    }

    @Test("the demo runs to completion on a fresh store and exits 0")
    func demo() async throws {
        let run = try await steward(["demo", "--steps", "30"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("succeeded  35/36"))
        #expect(run.stderr.isEmpty, "the demo's planned dead letter should not print a log line: \(run.stderr)")
        #expect(run.stdout.contains("dead letter: job"))
        #expect(run.stdout.contains("demo.flaky"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("steward.db").path))
    }

    @Test("Ctrl-C during the demo drains gracefully and exits 0, leaving no job running")
    func demoInterrupted() async throws {
        let run = try await steward(["demo", "--steps", "3000", "--concurrency", "2"], interruptAfter: .milliseconds(1500))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("interrupted:"), "stdout: \(run.stdout)")
        let sqlite = try SQLiteJobStore(path: dir.appendingPathComponent("steward.db").path)
        #expect(try await sqlite.queueStats("demo", now: Date()).counts["running"] == 0)
        try await sqlite.close()
    }
}

extension CLITests {
    @Test("schedule preview: instants with the zone's offset, --json, exit code 2 for an invalid expression")
    func schedulePreview() async throws {
        let text = try await steward([
            "schedule", "preview", "30 2 * * *", "--timezone", "America/New_York", "--from", "2026-03-07T12:00:00Z", "--count", "2",
        ])
        #expect(text.status == 0)
        #expect(text.stdout == "2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00\n")
        let json = try await steward(["schedule", "preview", "@hourly", "--from", "2026-01-01T00:30:00Z", "--count", "2", "--json"])
        #expect(try self.json(json.stdout)["next"] as? [String] == ["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"])
        let bad = try await steward(["schedule", "preview", "0 0 32 * *"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("cron day-of-month '32': 32 is out of range 1-31"), "\(bad.stderr)")
        #expect(try await steward(["schedule", "preview", "* * * * *", "--timezone", "Nowhere/Land"]).status != 0)
    }

    @Test("schedule add, list --json (fixed key set), pause, trigger, resume, remove")
    func scheduleCommands() async throws {
        let add = try await steward([
            "schedule", "add", "nightly", "--cron", "30 2 * * *", "--timezone", "Europe/Berlin", "--job", "steward.noop",
            "--queue", "reports", "--store", store,
        ])
        #expect(add.status == 0, "\(add.stderr)")
        let bad = try await steward(["schedule", "add", "x", "--cron", "61 * * * *", "--job", "steward.noop", "--store", store])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("cron minute '61'"), "\(bad.stderr)")
        let listed = try await steward(["schedule", "list", "--json", "--store", store])
        let rows = try #require(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(Set(rows[0].keys) == [
            "name", "paused", "trigger", "job", "queue", "next_fire_at", "last_fire_at", "last_job_id", "skipped_runs",
            "missed_runs",
        ])
        #expect(rows[0]["trigger"] as? String == "cron 30 2 * * * (Europe/Berlin)")
        #expect(try await steward(["schedule", "pause", "nightly", "--store", store]).status == 0)
        let triggered = try await steward(["schedule", "trigger", "nightly", "--store", store])
        #expect(triggered.stdout.contains("job 1"), "\(triggered.stdout)")
        let sqlite = try SQLiteJobStore(url: store)
        #expect(try await sqlite.jobs(JobFilter(queue: "reports"), now: Date()).first?.metadata["schedule"] == "nightly")
        #expect(try await sqlite.schedules().first?.paused == true)
        #expect(try await steward(["schedule", "resume", "nightly", "--store", store]).status == 0)
        #expect(try await sqlite.schedules().first?.paused == false)
        #expect(try await steward(["schedule", "remove", "nightly", "--store", store]).status == 0)
        #expect(try await sqlite.schedules().isEmpty)
        let missing = try await steward(["schedule", "pause", "nightly", "--store", store])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("schedule 'nightly' not found"), "\(missing.stderr)")
        try await sqlite.close()
    }
}

extension CLITests {
    var example: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/quality/sensors.yaml").path
    }

    func writeConfig(_ text: String) throws -> String {
        let path = dir.appendingPathComponent("q-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("quality run: the example as documented; exit 4 with --fail-on-check; a summary per task")
    func qualityRun() async throws {
        let out = dir.appendingPathComponent("qo").path
        let run = try await steward(["quality", "run", example, "--output", out])
        #expect(run.status == 0, "\(run.stderr)")
        // The figures docs/quality.md shows, line for line.
        #expect(
            run.stdout.hasPrefix(
                """
                task                     records    windows  failed checks  late dropped  schema errors  state
                sensor_health                1187         30             16             1              0  finished
                fleet_trend                  1187         14              0             0              0  finished
                bursts                       1187         62              0             0              0  finished

                """), "\(run.stdout)")
        let lines = try String(contentsOfFile: out + "/sensor_health.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 30)
        #expect(
            lines.contains(
                #"{"window_start":1767225600,"window_end":1767225660,"sensor_id":"s2","task":"sensor_health","volume":[45,true],"bad_humidity":[0,true],"avg_temp":[38.074,false],"peak_humidity":59.7,"_schema_errors":0,"late":0}"#
            ))
        // "s2 is too hot (once with disguised missing humidity) and s3's volume drops below 40".
        var failing: Set<String> = []
        for line in lines {
            let record = try json(String(line))
            for (check, value) in record {
                if let pair = value as? [Any], pair.count == 2, pair[1] as? Bool == false {
                    failing.insert("\(record["sensor_id"] ?? "?"):\(check)")
                }
            }
        }
        #expect(failing == ["s2:avg_temp", "s2:bad_humidity", "s3:volume"], "\(failing)")
        let first = try json(String(lines[0]))
        #expect(Set(first.keys) == [
            "window_start", "window_end", "sensor_id", "task", "volume", "bad_humidity", "avg_temp", "peak_humidity",
            "_schema_errors", "late",
        ])
        #expect(first["window_start"] as? Int == 1_767_225_600)
        #expect((first["volume"] as? [Any])?.count == 2)
        let strict = try await steward(["quality", "run", example, "--output", out, "--fail-on-check"])
        #expect(strict.status == 4)
        #expect(try await steward(["quality", "validate", example]).status == 0)
    }

    @Test(
        "quality config errors exit 2 with file:line:column before any data is read",
        arguments: [
            ("checks:\n      - {measure: meen, column: v}", 10, "unknown measure 'meen'"),
            ("checks:\n      - {measure: mean, column: nope}", 10, "unknown column 'nope'"),
            ("checks:\n      - {measure: mean, column: v, must_be: \"> fifty\"}", 10, "assessment '> fifty'"),
            ("chekcs:\n      - {measure: count}", 9, "unknown key 'chekcs'"),
        ] as [(String, Int, String)])
    func qualityConfigErrors(_ checks: String, _ line: Int, _ message: String) async throws {
        let config = try writeConfig(
            """
            sources:
              s:
                path: missing.csv
                time: ts
                columns: {ts: int, v: float}
            tasks:
              - source: s
                window: {tumbling: 60}
                \(checks)
            """)
        let run = try await steward(["quality", "run", config])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(config):\(line):"), "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("quality exit codes: 1 when a non-critical task failed, 3 when a critical one stopped the monitor")
    func qualityExitCodes() async throws {
        let csv = dir.appendingPathComponent("bad.csv").path
        try "ts,v\n1,2\n2,oops\n3,4\n".write(toFile: csv, atomically: true, encoding: .utf8)
        func config(critical: Bool) throws -> String {
            try writeConfig(
                """
                sources:
                  s: {path: \(csv), time: ts, columns: {ts: int, v: float}}
                tasks:
                  - {name: fine, source: s, window: {tumbling: 60}, checks: [{measure: count}]}
                  - {name: strict, source: s, critical: \(critical), schema_policy: raise, window: {tumbling: 60}, checks: [{measure: count}]}
                """)
        }
        let soft = try await steward(["quality", "run", try config(critical: false), "--output", dir.appendingPathComponent("o1").path])
        #expect(soft.status == 1, "\(soft.stdout)\(soft.stderr)")
        #expect(soft.stdout.contains("failed"))
        let hard = try await steward(["quality", "run", try config(critical: true), "--output", dir.appendingPathComponent("o2").path])
        #expect(hard.status == 3, "\(hard.stdout)\(hard.stderr)")
        #expect(hard.stderr.contains("critical task 'strict' failed"), "\(hard.stderr)")
        #expect(hard.stderr.contains("'oops' is not a float"), "\(hard.stderr)")
    }
}

extension CLITests {
    @Test("quality run reads a pipe as a stream: a closed window is written before the input ends")
    func qualityStdinStream() async throws {
        let config = try writeConfig(
            """
            sources:
              s: {path: unused.csv, time: ts, columns: {ts: int, v: float}}
            tasks:
              - {name: t, source: s, window: {tumbling: 10}, checks: [{measure: count}]}
            """)
        let out = dir.appendingPathComponent("stream").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = ["quality", "run", config, "--source", "s=-", "--output", out]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data("ts,v\n1,5\n2,6\n15,7\n".utf8))
        let file = out + "/t.jsonl"
        let streamed = await eventually(timeout: .seconds(10)) {
            ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").contains(#""window_start":0"#)
        }
        #expect(streamed, "the closed window [0,10) was not written while the pipe stayed open")
        try input.fileHandleForWriting.close()
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        #expect(p.terminationStatus == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 2)
    }
}
