import Foundation
import Steward
import StewardSQLite
import Testing

/// The CLI's contract: exit codes, unknown names, `--json` shapes with every key on every row,
/// exact numbers, human output that is human.
extension CLITests {
    @Test(
        "exit codes: 64 usage, 2 invalid input, 1 failure; the error names the subcommand",
        arguments: [
            (["job", "statu", "1"], 64, "unknown subcommand 'statu' of 'steward job'; did you mean 'status'?"),
            (["jbo", "list"], 64, "did you mean 'job'?"),
            (["job", "enqueue"], 64, "Missing expected argument"),
            (["job", "list", "--limit", "0"], 2, "See 'steward job list --help'"),
            (["schedule", "add", "x", "--cron", "bad", "--job", "j"], 2, "See 'steward schedule add --help'"),
            (["schedule", "preview", "bad"], 2, "cron expression 'bad'"),
            (["schedule", "add", "x", "--cron", "* * * * *", "--timezone", "Nowhere/X", "--job", "j"], 2, "unknown time zone"),
            (["job", "status", "999"], 2, "job 999 not found"),
            (["queue", "stats", "nosuch"], 2, "queue 'nosuch' not found (known queues: none yet)"),
            (["job", "cancel", "1", "--store", "postgres://u:secret@127.0.0.1:1/x?sslmode=disable"], 1, "127.0.0.1:1: cannot connect: connection refused"),
            (["job", "cancel", "1", "--store", "postgres://u@nosuchhost.invalid:5432/x?sslmode=disable"], 1, "host 'nosuchhost.invalid' not found (DNS)"),
        ] as [([String], Int32, String)])
    func exitCodes(args: [String], status: Int32, message: String) async throws {
        let withStore = args.contains("--store") || args.contains("preview") ? args : args + ["--store", store]
        let run = try await steward(withStore)
        #expect(run.status == status, "stderr: \(run.stderr)")
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
        #expect(!run.stderr.contains("Usage: steward <subcommand>"), "\(run.stderr)")
        #expect(!run.stderr.contains("secret"))
        // Plain words: no driver type names.
        for word in ["SingleConnectionFailure", "errno", "SocketAddressError", "PSQLError"] { #expect(!run.stderr.contains(word), "\(run.stderr)") }
    }

    @Test("a read-only store and a configuration typo are said in plain words, with Error: and did you mean")
    func plainErrors() async throws {
        #expect(try await steward(["job", "enqueue", "steward.noop", "--store", store]).status == 0)
        let readOnly = try await steward(["job", "enqueue", "steward.noop", "--store", store + "?mode=ro"])
        #expect(readOnly.status == 1)
        #expect(readOnly.stderr.contains("the store is read-only"), "\(readOnly.stderr)")
        #expect(!readOnly.stderr.contains("INSERT") && !readOnly.stderr.contains("SQLite error"), "\(readOnly.stderr)")
        let config = try String(contentsOf: DocScript.repository.appendingPathComponent("examples/quality/sensors.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "measure: mean,", with: "measure: meen,")
        let file = dir.appendingPathComponent("typo.yaml")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let typo = try await steward(["quality", "validate", file.path])
        #expect(typo.status == 2)
        #expect(typo.stderr.hasPrefix("Error: ") && typo.stderr.contains("unknown measure 'meen'; did you mean 'mean'?"), "\(typo.stderr)")
    }

    @Test("queue stats and pause refuse unknown names, naming the known queues; pause --create makes one")
    func unknownQueues() async throws {
        try await steward(["job", "enqueue", "steward.noop", "--queue", "mail", "--store", store])
        let stats = try await steward(["queue", "stats", "mial", "--store", store])
        #expect(stats.status == 2)
        #expect(stats.stderr.contains("queue 'mial' not found (known queues: 'mail')"), "\(stats.stderr)")
        #expect(try await steward(["queue", "pause", "mial", "--store", store]).status == 2)
        #expect(try await steward(["queue", "resume", "mial", "--store", store]).status == 2)
        #expect(try await steward(["queue", "pause", "later", "--create", "--store", store]).status == 0)
        #expect(try json(try await steward(["queue", "stats", "later", "--json", "--store", store]).stdout)["paused"] as? Bool == true)
    }

    @Test("every --json row has every key: queue list's dead-letter row, progress, an empty queue's oldest wait")
    func jsonShapes() async throws {
        let sqlite = try SQLiteJobStore(url: store)
        try await sqlite.migrate()
        try await sqlite.configureQueues([QueueSettings(name: "work", maxDepth: 10, maxAttempts: 1)])
        let id = try await sqlite.enqueue([NewJob(queue: "work", name: "x")], now: Date())[0].id
        let claimed = try await sqlite.claim(queue: "work", names: nil, limit: 1, owner: "w", leaseUntil: Date() + 30, now: Date())
        try await sqlite.updateProgress([ProgressUpdate(id: id, owner: "w", progress: JobProgress(percent: 40))], now: Date())
        let status = try json(try await steward(["job", "status", "\(id)", "--json", "--store", store]).stdout)
        let progress = try #require(status["progress"] as? [String: Any])
        #expect(Set(progress.keys) == ["step", "total_steps", "percent", "message"])
        #expect(progress["message"] is NSNull)
        try await sqlite.complete([JobOutcome(id: id, owner: "w", startedAt: claimed[0].record.startedAt!, kind: .dead(error: JobErrorInfo(type: "E", message: "m", attempt: 1)))], now: Date())
        try await sqlite.close()

        let list = try await steward(["queue", "list", "--json", "--store", store])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(Set(rows.map { $0["name"] as? String }) == ["work", "work-dlq"])
        for row in rows {
            #expect(Set(row.keys) == ["name", "paused", "waiting", "running", "max_depth", "dead_letter_queue", "max_attempts"])
        }
        let stats = try json(try await steward(["queue", "stats", "work", "--json", "--store", store]).stdout)
        #expect(stats["oldest_waiting_age_s"] is NSNull, "\(stats)")
    }

    @Test("a payload's large integer reads back exact; --payload @FILE and - carry payloads too big for a command line")
    func payloads() async throws {
        let exact = try await steward(["job", "enqueue", "steward.noop", "--payload", #"{"id": 9007199254740993}"#, "--store", store])
        let id = exact.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = try await steward(["job", "status", id, "--json", "--store", store]).stdout
        #expect(shown.contains(#""payload":{"id":9007199254740993}"#), "\(shown)")

        let big = #"{"blob": ""# + String(repeating: "x", count: 300_000) + #""}"#
        let file = dir.appendingPathComponent("payload.json").path
        try big.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await steward(["job", "enqueue", "steward.noop", "--payload", "@\(file)", "--store", store])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")

        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = ["job", "enqueue", "steward.noop", "--payload", "-", "--store", store]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(big.utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let sqlite = try SQLiteJobStore(url: store)
        for text in [fromFile.stdout, printed] {
            let jobID = try #require(JobID(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(try await sqlite.job(jobID, now: Date())?.payload == big)
        }
        try await sqlite.close()
        let missing = try await steward(["job", "enqueue", "steward.noop", "--payload", "@/nonexistent", "--store", store])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--payload: cannot read '/nonexistent'"))
    }

    @Test("terminal escape codes stored in a job are printed escaped, never raw")
    func escapes() async throws {
        let sqlite = try SQLiteJobStore(url: store)
        try await sqlite.migrate()
        let id = try await sqlite.enqueue([NewJob(name: "x")], now: Date())[0].id
        let claimed = try await sqlite.claim(queue: "default", names: nil, limit: 1, owner: "w", leaseUntil: Date() + 30, now: Date())
        let hostile = JobErrorInfo(type: "E", message: "\u{1B}[2J\u{1B}]0;pwned\u{7}", attempt: 1)
        try await sqlite.complete([JobOutcome(id: id, owner: "w", startedAt: claimed[0].record.startedAt!, kind: .dead(error: hostile))], now: Date())
        try await sqlite.close()
        let run = try await steward(["job", "status", "\(id)", "--store", store])
        #expect(!run.stdout.contains("\u{1B}"))
        #expect(run.stdout.contains(#"\x1b[2J\x1b]0;pwned\x07"#), "\(run.stdout)")
    }

    @Test("a succeeded job's progress reads as finished")
    func finishedProgress() async throws {
        let sqlite = try SQLiteJobStore(url: store)
        try await sqlite.migrate()
        let id = try await sqlite.enqueue([NewJob(name: "x")], now: Date())[0].id
        let claimed = try await sqlite.claim(queue: "default", names: nil, limit: 1, owner: "w", leaseUntil: Date() + 30, now: Date())
        try await sqlite.updateProgress(
            [ProgressUpdate(id: id, owner: "w", progress: JobProgress(step: 9, totalSteps: 10, percent: 90))], now: Date())
        try await sqlite.complete([JobOutcome(id: id, owner: "w", startedAt: claimed[0].record.startedAt!, kind: .succeeded(result: nil))], now: Date())
        try await sqlite.close()
        let run = try await steward(["job", "status", "\(id)", "--store", store])
        #expect(run.stdout.contains("progress:  step 10/10, 100%"), "\(run.stdout)")
        // Its history row has the error keys too, as null.
        let history = try await steward(["job", "history", "\(id)", "--json", "--store", store])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(Set(rows[0].keys) == ["attempt", "worker", "started_at", "finished_at", "outcome", "error_type", "error_message"])
        #expect(rows[0]["error_type"] is NSNull)
    }

    @Test("bench quality prints plain figures, not enum cases")
    func benchQualityHuman() async throws {
        let run = try await steward(["bench", "quality", "--events", "2000"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("suite                  quality\n"), "\(run.stdout)")
        #expect(run.stdout.contains("events                 2000\n"), "\(run.stdout)")
        #expect(!run.stdout.contains("number("))
    }

    @Test("the demo's closing hints keep the --store it was given")
    func demoHints() async throws {
        let path = dir.appendingPathComponent("demo.db").path
        let run = try await steward(["demo", "--steps", "5", "--store", "sqlite:\(path)"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("steward queue stats demo --store sqlite:\(path)"), "\(run.stdout)")
    }
}

extension CLITests {
    @Test("worker logs: one JSON line per state change, at its level, with job id, name, queue, attempt and ms timestamps")
    func workerLogs() async throws {
        let ok = try await steward(["job", "enqueue", "steward.noop", "--store", store]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let doomed = try await steward(["job", "enqueue", "steward.fail", "--max-attempts", "1", "--store", store]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let log = dir.appendingPathComponent("worker.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = ["worker", "--store", store, "--log-format", "json"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        let sqlite = try SQLiteJobStore(url: store)
        #expect(try await eventually { try await sqlite.job(JobID(doomed)!, now: Date())?.state == .dead })
        try await sqlite.close()
        p.terminate()
        p.waitUntilExit()
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String], "not JSON: \($0)")
        }
        let succeeded = try #require(lines.first { $0["message"] == "job succeeded" })
        #expect(succeeded["level"] == "info")
        #expect(succeeded["job.id"] == ok)
        #expect(succeeded["job.name"] == "steward.noop")
        #expect(succeeded["job.queue"] == "default")
        #expect(succeeded["job.attempt"] == "1")
        #expect(succeeded["ts"]?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(succeeded)")
        let dead = try #require(lines.first { $0["message"]?.contains("dead-letter") == true })
        #expect(dead["level"] == "error")
        #expect(dead["job.id"] == doomed)
        #expect(dead["error.message"] == "failed on purpose")
    }
}

extension CLITests {
    @Test("job cancel and retry take a filter for every matching job; an id and a filter together are refused")
    func bulkCancelRetry() async throws {
        for _ in 0..<3 { try await steward(["job", "enqueue", "steward.noop", "--queue", "bulk", "--store", store]) }
        try await steward(["job", "enqueue", "steward.noop", "--queue", "other", "--store", store])
        let cancelled = try await steward(["job", "cancel", "--queue", "bulk", "--json", "--store", store])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        let result = try json(cancelled.stdout)
        #expect(result["matched"] as? Int == 3)
        #expect((result["changed"] as? [Int])?.count == 3)
        #expect(try json(try await steward(["queue", "stats", "other", "--json", "--store", store]).stdout)["counts"]
            .flatMap { $0 as? [String: Int] }?["available"] == 1)
        let retried = try await steward(["job", "retry", "--queue", "bulk", "--state", "cancelled", "--store", store])
        #expect(retried.stdout.contains("retried 3 of 3 matching jobs"), "\(retried.stdout)\(retried.stderr)")
        let both = try await steward(["job", "cancel", "1", "--queue", "bulk", "--store", store])
        #expect(both.status == 2)
        #expect(both.stderr.contains("not both"))
        let neither = try await steward(["job", "cancel", "--store", store])
        #expect(neither.status == 2)
    }
}

extension CLITests {
    @Test("job enqueue --wait prints the result; exit 1 when the job ends dead, 3 when the wait times out")
    func enqueueWait() async throws {
        let worker = try startWorker()
        let ok = try await steward(["job", "enqueue", "steward.sleep", "--payload", #"{"seconds": 0.05}"#, "--wait", "--store", store])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "null\n", "\(ok.stderr) worker: \((try? String(contentsOf: dir.appendingPathComponent("worker.log"), encoding: .utf8)) ?? "")")
        let asJSON = try await steward(["job", "enqueue", "steward.noop", "--wait", "--json", "--store", store])
        #expect(try json(asJSON.stdout)["state"] as? String == "succeeded")
        let dead = try await steward(["job", "enqueue", "steward.fail", "--max-attempts", "1", "--wait", "--store", store])
        #expect(dead.status == 1)
        #expect(dead.stderr.contains("ended dead: Failure: failed on purpose"), "\(dead.stderr)")
        let late = try await steward([
            "job", "enqueue", "steward.noop", "--queue", "nobody-works-this", "--wait", "--wait-timeout", "300ms", "--store", store,
        ])
        #expect(late.status == 3)
        #expect(late.stderr.contains("timed out waiting for job"), "\(late.stderr)")
        worker.terminate()
        #expect(await exitStatus(of: worker) == 0)
    }
}

extension CLITests {
    @Test("worker list: a running worker process is online with its host, pid, queues and concurrency; stopped after SIGTERM; the same rows over --json as over HTTP")
    func workerList() async throws {
        let empty = try await steward(["worker", "list", "--store", store])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.contains("no workers have reported"), "\(empty.stdout)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = ["worker", "--queues", "default,mail", "--concurrency", "3", "--store", store, "--log-level", "error"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var rows: [[String: Any]] = []
        let online = try await eventually(timeout: .seconds(20)) {
            let run = try await steward(["worker", "list", "--json", "--store", store])
            rows = (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]) ?? []
            return rows.first?["state"] as? String == "online"
        }
        #expect(online, "\(rows)")
        let row = try #require(rows.first)
        #expect(Set(row.keys) == ["id", "host", "pid", "queues", "running", "state", "started_at", "last_heartbeat_at", "last_heartbeat_age_seconds", "stopped_at"])
        #expect(row["pid"] as? Int == Int(p.processIdentifier))
        #expect(row["host"] as? String == ProcessInfo.processInfo.hostName)
        #expect(row["stopped_at"] is NSNull)
        let queues = try #require(row["queues"] as? [[String: Any]])
        #expect(queues.map { $0["name"] as? String } == ["default", "mail"])
        #expect(queues.map { $0["concurrency"] as? Int } == [3, 3])
        let table = try await steward(["worker", "list", "--store", store])
        #expect(table.stdout.contains("default×3,mail×3"), "\(table.stdout)")
        #expect(table.stdout.contains("online"), "\(table.stdout)")
        p.terminate()
        #expect(await exitStatus(of: p) != nil, "the worker did not stop on SIGTERM")
        let after = try await steward(["worker", "list", "--json", "--store", store])
        let stopped = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]])
        #expect(stopped.count == 1)
        #expect(stopped.first?["state"] as? String == "stopped")
        #expect(stopped.first?["stopped_at"] is String)
    }
}

extension CLITests {
    @Test("job activity: the counts and every minute of the window, in the keys of GET /api/v1/activity; a bad window names --minutes; job list --retrying")
    func jobActivity() async throws {
        let enqueue = try await steward(["job", "enqueue", "steward.noop", "--delay", "10m", "--store", store])
        #expect(enqueue.status == 0, "\(enqueue.stderr)")
        let run = try await steward(["job", "activity", "--minutes", "3", "--json", "--store", store])
        #expect(run.status == 0, "\(run.stderr)")
        let o = try json(run.stdout)
        #expect(Set(o.keys) == ["at", "day_start", "processed_today", "failed_today", "running", "enqueued", "scheduled", "retrying", "dead", "minutes"])
        #expect(o["scheduled"] as? Int == 1)
        #expect((o["minutes"] as? [Any])?.count == 3)
        let text = try await steward(["job", "activity", "--store", store])
        #expect(text.stdout.contains("1 scheduled (0 retrying)"), "\(text.stdout)")
        let bad = try await steward(["job", "activity", "--minutes", "0", "--store", store])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--minutes: must be between 1 and 1440, got 0"), "\(bad.stderr)")
        let none = try await steward(["job", "list", "--retrying", "--store", store])
        #expect(none.stdout == "no jobs\n", "\(none.stdout)")
        let conflict = try await steward(["job", "list", "--retrying", "--state", "dead", "--store", store])
        #expect(conflict.status == 2)
        #expect(conflict.stderr.contains("--retrying: retrying jobs are scheduled; state 'dead' excludes them"), "\(conflict.stderr)")
    }
}
