import Foundation
import Steward
import StewardConfig
import StewardPostgres
import StewardSQLite
import Synchronization
import Testing

/// Calls seen by handlers, in order, across tasks.
final class CallLog: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Which store a workflow test runs on.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    func make() async throws -> any StewardStore {
        let store: any StewardStore
        switch self {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-wf-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            store = try SQLiteJobStore(path: dir.appendingPathComponent("wf.db").path)
        case .postgres:
            store = try PostgresTestDatabase.makeStore()
        }
        try await store.migrate()
        return store
    }

    static var enabled: [StoreKind] { PostgresTestDatabase.enabled ? allCases : [.sqlite] }
}

let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/workflows")

func example(_ file: String) throws -> [WorkflowDefinition] {
    try WorkflowFile.load(path: examplesDirectory.appendingPathComponent(file).path)
}

func json(_ text: String?) -> JSONValue { text.flatMap(JSONValue.init(parsing:)) ?? .null }

/// Runs `body` with a worker on the queues workflows use here.
func withWorkflowWorker(
    _ store: any StewardStore, _ registry: JobRegistry, concurrency: Int = 8, _ body: (WorkflowAdmin) async throws -> Void
) async throws {
    let queues = [QueueConfiguration(name: "default", concurrency: concurrency)]
    try await withWorker(store: store, registry: registry, queues: queues, configuration: WorkerConfiguration(pollInterval: .milliseconds(50))) {
        _ in
        try await body(WorkflowAdmin(store: store))
    }
}

@Suite("Workflows: the examples and every feature, on each store")
struct WorkflowEngineTests {
    @Test("chain with result passing: collect -> format -> deliver", arguments: StoreKind.enabled)
    func chain(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(name: "report.collect") { payload, _ in
            let p = json(payload)
            guard case .object(let o) = p, o["source"] == .string("sales"), o["day"] == .string("2026-11-30") else { throw PermanentJobError("bad input \(payload)") }
            return #"{"rows":[{"n":1},{"n":2},{"n":9007199254740993}]}"#
        }
        registry.register(name: "report.format") { payload, _ in
            guard case .object(let o) = json(payload), case .array(let rows)? = o["rows"], case .string(let title)? = o["title"] else {
                throw PermanentJobError("bad input \(payload)")
            }
            return JSONValue.object(["text": .string("\(title): \(rows.count) rows"), "lines": .integer(Int64(rows.count))]).jsonText
        }
        registry.register(name: "report.deliver") { payload, _ in payload }
        try await withWorkflowWorker(store, registry) { admin in
            #expect(try await admin.apply(try example("chain.yaml")).map(\.status) == ["created"])
            #expect(try await admin.apply(try example("chain.yaml")).map(\.status) == ["unchanged"])
            let run = try await admin.run(
                "daily-report", input: .object(["source": .string("sales"), "day": .string("2026-11-30"), "email": .string("ops@example.com")]))
            let done = try await admin.wait(run.id, timeout: .seconds(30))
            #expect(done.state == .succeeded, "\(done.error ?? "")")
            #expect(done.output == .object(["delivered_to": .string("ops@example.com"), "lines": .integer(3)]))
            let status = try await admin.status(run.id)
            #expect(status.tasks.map(\.state) == ["succeeded", "succeeded", "succeeded"])
            #expect(status.tasks[2].output == .object(["to": .string("ops@example.com"), "body": .string("Report for 2026-11-30: 3 rows")]))
            #expect(status.tasks[0].output == .object(["rows": .array([.object(["n": .integer(1)]), .object(["n": .integer(2)]), .object(["n": .integer(9_007_199_254_740_993)])])]))
            // Each task's job keeps the input it ran with (`job status` shows it), not the empty template payload.
            let deliver = try #require(try await store.workflowRun(run.id)?.tasks["deliver"]?.job)
            let payload = try #require(try await store.job(deliver, now: Date())?.payload)
            #expect(json(payload) == .object(["to": .string("ops@example.com"), "body": .string("Report for 2026-11-30: 3 rows")]))
            let logs = try await admin.logs(run.id).map { "\($0.event) \($0.task ?? "-")" }
            for task in ["collect", "format", "deliver"] {
                #expect(logs.contains("queued \(task)") && logs.contains("started \(task)") && logs.contains("succeeded \(task)"), "\(logs)")
            }
            #expect(logs.first == "created -") ; #expect(logs.last == "finished -")
            // A changed body under a stored version is refused.
            var changed = try example("chain.yaml")
            changed[0].tasks[2].input = .object([:])
            await #expect(throws: StewardError.self) { _ = try await admin.apply(changed) }
        }
        try await store.close()
    }

    @Test("fan-out/fan-in: a report per account, 2 failures tolerated, a partial-success summary", arguments: StoreKind.enabled)
    func reportBatch(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let order = CallLog()
        registry.register(name: "report.accounts") { _, _ in JSONValue.object(["ids": .array((0..<12).map { .string("acct-\($0)") })]).jsonText }
        registry.register(name: "report.build") { payload, _ in
            let now = running.add(1, ordering: .relaxed).newValue
            _ = peak.max(now, ordering: .relaxed)
            defer { running.subtract(1, ordering: .relaxed) }
            guard case .object(let o) = json(payload), case .string(let account)? = o["account"], case .integer(let i)? = o["position"] else {
                throw PermanentJobError("bad input")
            }
            order.add(account)
            try await Task.sleep(for: .milliseconds(20))
            if i == 3 || i == 7 { throw PermanentJobError("no data for \(account)") }
            return JSONValue.object(["account": .string(account), "total": .integer(i * 10)]).jsonText
        }
        registry.register(name: "report.summarize") { payload, _ in
            guard case .object(let o) = json(payload), case .array(let reports)? = o["reports"] else { throw PermanentJobError("bad input") }
            let ok = reports.filter { $0 != .null }.count
            return JSONValue.object(["built": .integer(Int64(ok)), "missing": .integer(Int64(reports.count - ok))]).jsonText
        }
        try await withWorkflowWorker(store, registry, concurrency: 10) { admin in
            _ = try await admin.apply(try example("report-batch.yaml"))
            let run = try await admin.run("report-batch")
            let done = try await admin.wait(run.id, timeout: .seconds(60))
            #expect(done.state == .succeeded, "\(done.error ?? "")")
            #expect(done.output == .object(["summarize": .object(["built": .integer(10), "missing": .integer(2)])]))
            let status = try await admin.status(run.id)
            let build = try #require(status.tasks.first { $0.name == "build" })
            #expect(build.state == "succeeded" && build.items == 12)
            guard case .array(let outputs)? = build.output else { Issue.record("no list output"); return }
            #expect(outputs.count == 12 && outputs[3] == .null && outputs[5] == .object(["account": .string("acct-5"), "total": .integer(50)]))
        }
        #expect(peak.load(ordering: .relaxed) <= 4, "parallelism 4 exceeded: \(peak.load(ordering: .relaxed))")
        let started = order.all
        #expect(started.prefix(4).sorted() == (0..<4).map { "acct-\($0)" }, "items start in item order: \(started)")
        try await store.close()
    }

    @Test("a conditional branch: the false side is skipped and none_failed still runs", arguments: StoreKind.enabled)
    func conditional(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        let calls = CallLog()
        registry.register(name: "loan.score") { payload, _ in
            guard case .object(let o) = json(payload), case .string(let who)? = o["applicant"] else { throw PermanentJobError("bad") }
            return who == "ada" ? #"{"value":780,"blocked":false}"# : #"{"value":610,"blocked":false}"#
        }
        for name in ["loan.approve", "loan.review", "loan.notify"] {
            registry.register(name: name) { payload, _ in
                calls.add(name)
                return payload
            }
        }
        try await withWorkflowWorker(store, registry) { admin in
            _ = try await admin.apply(try example("conditional.yaml"))
            let ada = try await admin.wait(try await admin.run("loan-decision", input: .object(["applicant": .string("ada")])).id, timeout: .seconds(30))
            #expect(ada.state == .succeeded, "\(ada.error ?? "")")
            let status = try await admin.status(ada.id)
            #expect(status.tasks.map(\.state) == ["succeeded", "succeeded", "skipped", "succeeded"])
            #expect(status.tasks[2].error == nil)
            // A skipped task never ran: no attempt counted, its job cancelled (not a succeeded job
            // with a marker result), no attempt in its history.
            #expect(status.tasks[2].attempts == 0)
            let adaRecord = try #require(try await store.workflowRun(ada.id))
            let reviewJob = try #require(adaRecord.tasks["review"]?.job)
            let skippedJob = try #require(try await store.job(reviewJob, now: Date()))
            #expect(skippedJob.state == .cancelled && skippedJob.attempt == 0 && skippedJob.result == nil, "\(skippedJob)")
            #expect(skippedJob.lastError?.message.contains("is false") == true)
            #expect(try await store.history(skippedJob.id).isEmpty)
            #expect(status.tasks[3].output == .object(["applicant": .string("ada"), "approved": .string("succeeded"), "reviewed": .string("skipped")]))
            let bob = try await admin.wait(try await admin.run("loan-decision", input: .object(["applicant": .string("bob")])).id, timeout: .seconds(30))
            #expect(try await admin.status(bob.id).tasks.map(\.state) == ["succeeded", "skipped", "succeeded", "succeeded"])
            #expect(try await admin.logs(bob.id).contains { $0.event == "skipped" && $0.task == "approve" && $0.message?.contains("is false") == true })
        }
        #expect(calls.all.sorted() == ["loan.approve", "loan.notify", "loan.notify", "loan.review"])
        try await store.close()
    }

    @Test("a payment saga: ship fails, then refund and release run in reverse order; compensated", arguments: StoreKind.enabled)
    func saga(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        let calls = CallLog()
        registry.register(name: "inventory.reserve") { _, _ in calls.add("reserve"); return #"{"reservation":"R-1"}"# }
        registry.register(name: "payment.charge") { _, _ in calls.add("charge"); return #"{"charge_id":"C-9"}"# }
        registry.register(name: "shipping.ship") { _, context in
            calls.add("ship \(context.attempt)")
            throw PermanentJobError("carrier refused the parcel")
        }
        registry.register(name: "payment.refund") { payload, _ in calls.add("refund \(payload)"); return nil }
        registry.register(name: "inventory.release") { payload, _ in calls.add("release \(payload)"); return nil }
        try await withWorkflowWorker(store, registry) { admin in
            _ = try await admin.apply(try example("payment-saga.yaml"))
            let run = try await admin.run("order-payment", input: .object(["order_id": .integer(7), "sku": .string("X"), "amount": .number(12.5), "address": .string("here")]))
            let done = try await admin.wait(run.id, timeout: .seconds(30))
            #expect(done.state == .compensated, "\(done.error ?? "")")
            #expect(done.error?.contains("task 'ship' failed") == true)
            let states = try await admin.status(run.id).tasks.map(\.state)
            #expect(states == ["compensated", "compensated", "failed"])
            let logs = try await admin.logs(run.id).map(\.event)
            #expect(logs.contains("compensating") && logs.contains("compensated"))
        }
        #expect(
            calls.all == [
                "reserve", "charge", "ship 1", #"refund {"amount":12.5,"charge":"C-9"}"#, #"release {"reservation":"R-1"}"#,
            ])
        try await store.close()
    }

    @Test("an ETL pipeline: extract -> validate -> transform per chunk -> load", arguments: StoreKind.enabled)
    func etl(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(name: "etl.extract") { _, _ in #"{"row_count":6,"chunks":[[1,2],[3,4],[5,6]]}"# }
        registry.register(name: "etl.validate") { payload, _ in
            guard case .object(let o) = json(payload), o["rows"] == .integer(6) else { throw PermanentJobError("bad \(payload)") }
            return #"{"ok":true}"#
        }
        registry.register(name: "etl.transform") { payload, _ in
            guard case .object(let o) = json(payload), case .array(let chunk)? = o["chunk"] else { throw PermanentJobError("bad") }
            return JSONValue.array(chunk.map { if case .integer(let i) = $0 { .integer(i * 100) } else { .null } }).jsonText
        }
        registry.register(name: "etl.load") { payload, _ in
            guard case .object(let o) = json(payload), case .array(let chunks)? = o["chunks"], o["table"] == .string("orders_clean") else {
                throw PermanentJobError("bad \(payload)")
            }
            return JSONValue.object(["rows": .integer(Int64(chunks.reduce(0) { n, c in if case .array(let a) = c { n + a.count } else { n } }))]).jsonText
        }
        try await withWorkflowWorker(store, registry) { admin in
            _ = try await admin.apply(try example("etl.yaml"))
            let done = try await admin.wait(
                try await admin.run("etl", input: .object(["table": .string("orders"), "chunk_size": .integer(2)])).id, timeout: .seconds(30))
            #expect(done.state == .succeeded, "\(done.error ?? "")")
            #expect(done.output == .object(["loaded": .integer(6)]))
            let transform = try #require(try await admin.status(done.id).tasks.first { $0.name == "transform" })
            #expect(transform.output == .array([.array([.integer(100), .integer(200)]), .array([.integer(300), .integer(400)]), .array([.integer(500), .integer(600)])]))
        }
        try await store.close()
    }

    @Test("a running execution stays on the version it started with; run picks the latest or a named version", arguments: StoreKind.enabled)
    func versions(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(name: "steward.echo") { payload, _ in payload }
        let admin = WorkflowAdmin(store: store)
        let v1 = WorkflowDefinition(name: "greet", version: "1", tasks: [WorkflowTask("hi", job: "steward.echo", input: ["v": 1])])
        var v2 = v1
        v2.version = "2"
        v2.tasks[0].input = ["v": 2]
        _ = try await admin.apply([v1])
        let old = try await admin.run("greet")  // started on version 1, before version 2 exists
        #expect(try await admin.apply([v2]).map(\.status) == ["created"])
        let latest = try await admin.run("greet")
        let pinned = try await admin.run("greet", version: "1")
        try await withWorkflowWorker(store, registry) { admin in
            for (run, expected) in [(old, 1), (latest, 2), (pinned, 1)] {
                let done = try await admin.wait(run.id, timeout: .seconds(30))
                #expect(done.state == .succeeded && done.output == ["hi": ["v": .integer(Int64(expected))]], "\(run.version)")
            }
        }
        await #expect(throws: StewardError.self) { _ = try await admin.run("greet", version: "9") }
        try await store.close()
    }

    @Test("fail: nothing new starts after a failure; retry runs the failed task and what follows, keeping earlier outputs", arguments: StoreKind.enabled)
    func failAndRetry(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        let calls = CallLog()
        let broken = Atomic<Bool>(true)
        registry.register(name: "a") { _, _ in calls.add("a"); return #"{"v":1}"# }
        registry.register(name: "b") { _, _ in
            calls.add("b")
            if broken.load(ordering: .relaxed) { throw PermanentJobError("b is broken") }
            return #"{"v":2}"#
        }
        registry.register(name: "c") { payload, _ in calls.add("c \(payload)"); return payload }
        registry.register(name: "slow") { _, context in
            // Ends only once b's failure has halted the execution (or, on the retry, at once), so
            // after-slow becomes ready after the halt however the machine schedules b.
            let run = context.metadata[WorkflowEngine.Key.run] ?? ""
            let deadline = ContinuousClock.now + .seconds(20)
            while broken.load(ordering: .relaxed), ContinuousClock.now < deadline,
                try await store.workflowRun(run)?.halted != true
            {
                try await Task.sleep(for: .milliseconds(10))
            }
            calls.add("slow")
            return nil
        }
        registry.register(name: "after-slow") { _, _ in calls.add("after-slow"); return nil }
        let definition = WorkflowDefinition(
            name: "retryable",
            tasks: [
                WorkflowTask("a"), WorkflowTask("b", dependsOn: ["a"]),
                WorkflowTask("c", input: .object(["a": .string("{{tasks.a.output.v}}"), "b": .string("{{tasks.b.output.v}}")]), dependsOn: ["b"]),
                WorkflowTask("slow"), WorkflowTask("after-slow", dependsOn: ["slow"]),
            ])
        try await withWorkflowWorker(store, registry) { admin in
            _ = try await admin.apply([definition])
            let failed = try await admin.wait(try await admin.run("retryable").id, timeout: .seconds(30))
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("task 'b' failed") == true)
            let states = try await admin.status(failed.id).tasks.map(\.state)
            #expect(states == ["succeeded", "failed", "cancelled", "succeeded", "cancelled"], "\(states)")
            // The tasks that never ran: 0 attempts, jobs cancelled (none succeeded).
            let view = try await admin.status(failed.id)
            let record = try #require(try await store.workflowRun(failed.id))
            for task in view.tasks where task.state == "cancelled" {
                #expect(task.attempts == 0, "\(task.name)")
                if let id = record.tasks[task.name]?.job { #expect(try await store.job(id, now: Date())?.state == .cancelled, "\(task.name)") }
            }
            // The execution is a pipeline execution of the same name, failed, with its task counts.
            var mirrored: [PipelineExecution] = []
            #expect(
                try await eventually {
                    mirrored = try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: failed.id))
                    return mirrored.first?.state == .failed
                })
            #expect(mirrored.count == 1 && mirrored.first?.pipeline == "retryable")
            #expect(mirrored.first?.metrics == ["tasks": 5, "tasks_succeeded": 2, "tasks_failed": 1, "tasks_skipped": 0, "tasks_cancelled": 2])
            broken.store(false, ordering: .relaxed)
            _ = try await admin.retry(failed.id)
            let done = try await admin.wait(failed.id, timeout: .seconds(30))
            #expect(done.state == .succeeded, "\(done.error ?? "")")
            #expect(done.generation == 2)
            #expect(try await admin.status(done.id).tasks.map(\.state) == ["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"])
            // The retry is a second pipeline execution.
            #expect(
                try await eventually {
                    try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: failed.id)).map(\.state) == [.succeeded, .failed]
                })
            await #expect(throws: StewardError.self) { _ = try await admin.retry(done.id) }
        }
        let seen = calls.all
        #expect(seen.filter { $0 == "a" }.count == 1, "a succeeded once and kept its output: \(seen)")
        #expect(seen.filter { $0 == "slow" }.count == 1 && seen.filter { $0 == "after-slow" }.count == 1)
        #expect(seen.contains(#"c {"a":1,"b":2}"#))
        try await store.close()
    }

    @Test("cancel stops the running task and starts nothing new; a timeout does the same and fails the run", arguments: StoreKind.enabled)
    func cancelAndTimeout(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        let calls = CallLog()
        registry.register(name: "wait") { _, context in
            calls.add("wait")
            while true {
                try await Task.sleep(for: .milliseconds(20))
                try context.checkCancellation()
            }
        }
        registry.register(name: "next") { _, _ in calls.add("next"); return nil }
        let definition = WorkflowDefinition(name: "long", tasks: [WorkflowTask("wait"), WorkflowTask("next", dependsOn: ["wait"])])
        var timed = definition
        timed.name = "timed"
        timed.timeoutSeconds = 0.5
        let config = WorkerConfiguration(heartbeatInterval: .milliseconds(100), pollInterval: .milliseconds(50))
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "default")], configuration: config) { _ in
            let admin = WorkflowAdmin(store: store)
            _ = try await admin.apply([definition, timed])
            let run = try await admin.run("long")
            #expect(try await eventually { try await admin.status(run.id).tasks[0].state == "running" })
            _ = try await admin.cancel(run.id)
            let cancelled = try await admin.wait(run.id, timeout: .seconds(20))
            #expect(cancelled.state == .cancelled)
            #expect(try await admin.status(run.id).tasks.map(\.state) == ["cancelled", "cancelled"])
            let slow = try await admin.wait(try await admin.run("timed").id, timeout: .seconds(20))
            #expect(slow.state == .failed)
            #expect(slow.error?.contains("timed out after") == true, "\(slow.error ?? "")")
        }
        #expect(!calls.all.contains("next"))
        try await store.close()
    }

    @Test("a missing template path fails the task naming the path; a workflow with a map over 10,000 items finishes", arguments: StoreKind.enabled)
    func missingPathAndBigMap(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(name: "list") { _, _ in JSONValue.object(["items": .array((0..<10_000).map { .integer(Int64($0)) })]).jsonText }
        registry.register(name: "double") { payload, _ in
            guard case .object(let o) = json(payload), case .integer(let i)? = o["n"] else { throw PermanentJobError("bad") }
            return "\(i * 2)"
        }
        registry.register(name: "total") { payload, _ in
            guard case .object(let o) = json(payload), case .array(let a)? = o["all"] else { throw PermanentJobError("bad") }
            return "\(a.reduce(Int64(0)) { s, v in if case .integer(let i) = v { s + i } else { s } })"
        }
        let big = WorkflowDefinition(
            name: "big",
            tasks: [
                WorkflowTask("list"),
                WorkflowTask("double", input: .object(["n": .string("{{item}}")]), dependsOn: ["list"], map: "{{tasks.list.output.items}}"),
                WorkflowTask("total", input: .object(["all": .string("{{tasks.double.output}}")]), dependsOn: ["double"]),
            ])
        let broken = WorkflowDefinition(
            name: "broken", tasks: [WorkflowTask("list"), WorkflowTask("total", input: .object(["all": .string("{{tasks.list.output.nope}}")]), dependsOn: ["list"])])
        try await withWorkflowWorker(store, registry, concurrency: 16) { admin in
            _ = try await admin.apply([big, broken])
            let failed = try await admin.wait(try await admin.run("broken").id, timeout: .seconds(30))
            #expect(failed.state == .failed)
            let total = try #require(try await admin.status(failed.id).tasks.last)
            #expect(total.error?.contains("missing path 'tasks.list.output.nope'") == true, "\(total.error ?? "")")
            let done = try await admin.wait(try await admin.run("big").id, timeout: .seconds(240))
            #expect(done.state == .succeeded, "\(done.error ?? "")")
            #expect(done.output == .object(["total": .integer(99_990_000)]))
        }
        try await store.close()
    }

    @Test("a workflow execution is a pipeline execution: duration, task counts and the tasks' reported metrics; its anomaly check is queued", arguments: StoreKind.enabled)
    func pipelineExecution(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(name: "load") { payload, _ in payload }
        let definition = WorkflowDefinition(
            name: "nightly-load",
            tasks: [
                WorkflowTask("orders", job: "load", input: .object(["metrics": .object(["inserted": .integer(40), "rejected": .integer(2)])])),
                WorkflowTask(
                    "customers", job: "load",
                    // A count no Int64 holds and a metric named like a built-in are left out, not fatal.
                    input: .object(["metrics": .object(["inserted": .integer(2), "updated": .integer(3), "deleted": .number(1e300), "duration": .integer(9)])])),
            ])
        _ = try await PipelineAdmin(store: store).apply(
            PipelineCatalog(pipelines: [PipelineDefinition(name: "nightly-load", writes: ["dw"], anomaly: AnomalySettings(metrics: ["inserted"]))]))
        try await withWorkflowWorker(store, registry) { admin in
            _ = try await admin.apply([definition])
            let run = try await admin.wait(try await admin.run("nightly-load").id, timeout: .seconds(30))
            #expect(run.state == .succeeded)
            var mirrored: PipelineExecution? = nil
            #expect(
                try await eventually {
                    mirrored = try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: run.id)).first
                    return mirrored?.state == .succeeded
                })
            let e = try #require(mirrored)
            #expect(e.pipeline == "nightly-load" && e.inserted == 42 && e.updated == 3 && e.deleted == nil)
            #expect(e.metrics == ["tasks": 2, "tasks_succeeded": 2, "tasks_failed": 0, "tasks_skipped": 0, "tasks_cancelled": 0, "rejected": 2])
            // (The run's record keeps milliseconds.)
            func near(_ a: Date?, _ b: Date?) -> Bool { abs((a ?? .distantPast).timeIntervalSince(b ?? .distantFuture)) < 0.002 }
            #expect(near(e.startedAt, run.createdAt) && near(e.finishedAt, run.finishedAt))
            // It wrote rows: its dataset was modified; its anomaly check is queued.
            #expect(near(try await store.datasets().first { $0.name == "dw" }?.lastModified, run.finishedAt))
            let checks = try await store.jobs(JobFilter(queue: PipelineChecks.anomalies), now: Date())
            #expect(checks.map(\.payload) == [#"{"execution":\#(e.id)}"#])
        }
        try await store.close()
    }
}
