import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Steward
import StewardConfig
import StewardHTTP
import StewardQuality
import StewardSQLite
import Testing

/// The HTTP API through Hummingbird's router tester: every route, status codes, JSON shapes,
/// auth scopes, bad and oversized bodies.
@Suite("HTTP API")
struct HTTPAPITests {
    struct Reply {
        var status: Int
        var text: String
        var headers: HTTPFields
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var list: [[String: Any]] { json as? [[String: Any]] ?? [] }
        var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
        var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
    }

    static let readToken = "read-token-1234"
    static let adminToken = "admin-token-5678"

    func withAPI(
        tokens: [AccessToken] = [], maxBody: Int = 1 << 20,
        _ body: @escaping @Sendable (any StewardStore, @escaping @Sendable (String, HTTPRequest.Method, String?, String?) async throws -> Reply) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("api.db").path)
        try await store.migrate()
        var logger = Logger(label: "steward.test")
        logger.logLevel = .critical
        let api = StewardAPI(store: store, configuration: .init(maxBody: maxBody, tokens: tokens), logger: logger)
        let app = Application(router: api.router(), logger: logger)
        try await app.test(.router) { client in
            try await body(store) { uri, method, text, token in
                var headers: HTTPFields = [.contentType: "application/json"]
                // "idem:KEY" sends an Idempotency-Key header instead of a token.
                if let token, token.hasPrefix("idem:") {
                    headers[HTTPField.Name("Idempotency-Key")!] = String(token.dropFirst(5))
                } else if let token {
                    headers[.authorization] = "Bearer \(token)"
                }
                let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: text.map { ByteBuffer(string: $0) })
                return Reply(status: Int(response.status.code), text: String(buffer: response.body), headers: response.headers)
            }
        }
        try await store.close()
    }

    static let jobKeys: Set<String> = [
        "id", "queue", "name", "state", "attempt", "max_attempts", "retries", "priority", "payload", "progress", "error", "result", "metadata",
        "unique_key", "original_queue", "lease_owner", "depends_on", "run_at", "created_at", "started_at", "finished_at",
    ]

    @Test("jobs: enqueue (201, idempotency 200), get, list with cursor, history, cancel, retry, bulk; same shapes as the CLI")
    func jobs() async throws {
        try await withAPI { store, call in
            let created = try await call("/api/v1/jobs", .post, #"{"name":"report","queue":"reports","payload":{"n":9007199254740993},"priority":3,"metadata":{"team":"ops"},"max_attempts":2,"delay":"1h"}"#, nil)
            #expect(created.status == 201, "\(created.text)")
            #expect(Set(created.object.keys) == Self.jobKeys)
            #expect(created.object["state"] as? String == "scheduled")
            #expect(created.text.contains(#""payload":{"n":9007199254740993}"#))
            let id = try #require(created.object["id"] as? Int)
            let first = try await call("/api/v1/jobs", .post, #"{"name":"once"}"#, "idem:k1")
            let again = try await call("/api/v1/jobs", .post, #"{"name":"once"}"#, "idem:k1")
            #expect(first.status == 201 && again.status == 200 && first.object["id"] as? Int == again.object["id"] as? Int)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            // The key answers with the same job after it finished (a unique key would not)...
            let onceID = try #require(first.object["id"] as? Int)
            _ = try await call("/api/v1/jobs/\(onceID)/cancel", .post, nil, nil)
            let later = try await call("/api/v1/jobs", .post, #"{ "name": "once" }"#, "idem:k1")
            #expect(later.status == 200 && later.object["id"] as? Int == onceID && later.object["state"] as? String == "cancelled", "\(later.text)")
            // ...and refuses a different request under it.
            let other = try await call("/api/v1/jobs", .post, #"{"name":"twice"}"#, "idem:k1")
            #expect(other.status == 422 && other.errorCode == "idempotency_key_reused", "\(other.text)")
            let got = try await call("/api/v1/jobs/\(id)", .get, nil, nil)
            #expect(got.status == 200 && got.object["priority"] as? Int == 3 && got.object["max_attempts"] as? Int == 2)
            for i in 0..<5 { _ = try await call("/api/v1/jobs", .post, #"{"name":"bulk","queue":"b","payload":{"i":\#(i)}}"#, nil) }
            let page = try await call("/api/v1/jobs?queue=b&limit=3", .get, nil, nil)
            #expect(page.list.count == 3)
            let next = try #require(page.headers[HTTPField.Name("X-Next-Before")!])
            let rest = try await call("/api/v1/jobs?queue=b&limit=3&before=\(next)", .get, nil, nil)
            #expect(rest.list.count == 2 && rest.headers[HTTPField.Name("X-Next-Before")!] == nil)
            let cancelled = try await call("/api/v1/jobs/\(id)/cancel", .post, nil, nil)
            #expect(cancelled.object["state"] as? String == "cancelled")
            #expect(try await call("/api/v1/jobs/\(id)/cancel", .post, nil, nil).errorCode == "invalid_transition")
            #expect(try await call("/api/v1/jobs/\(id)/retry", .post, nil, nil).object["state"] as? String == "available")
            #expect(try await call("/api/v1/jobs/\(id)/history", .get, nil, nil).status == 200)
            let bulk = try await call("/api/v1/jobs/cancel", .post, #"{"queue":"b"}"#, nil)
            #expect(bulk.object["matched"] as? Int == 5 && (bulk.object["changed"] as? [Int])?.count == 5)
            let retried = try await call("/api/v1/jobs/retry", .post, #"{"queue":"b","state":"cancelled"}"#, nil)
            #expect((retried.object["changed"] as? [Int])?.count == 5)
            let waiting = try await call("/api/v1/jobs", .post, #"{"name":"child","after":[\#(id)]}"#, nil)
            #expect(waiting.object["state"] as? String == "waiting" && waiting.object["depends_on"] as? [Int] == [id])
            _ = store
        }
    }

    @Test(
        "bad requests are 4xx JSON errors naming the field, never a 5xx",
        arguments: [
            ("POST", "/api/v1/jobs", #"{"queue":"q"}"#, 400, "name"),
            ("POST", "/api/v1/jobs", #"{"name":"x","priority":"high"}"#, 400, "priority"),
            ("POST", "/api/v1/jobs", #"{"name":"x","colour":"red"}"#, 400, "colour"),
            ("POST", "/api/v1/jobs", #"{"name":"x","delay":"soon"}"#, 400, "delay"),
            ("POST", "/api/v1/jobs", #"{"name":"x","delay":1e300}"#, 400, "delay"),
            ("POST", "/api/v1/jobs", #"{"name":"x","run_at":"tomorrow"}"#, 400, "run_at"),
            ("POST", "/api/v1/jobs", #"{"name":"x","metadata":{"a":1}}"#, 400, "metadata"),
            ("POST", "/api/v1/jobs", #"{"name":"x","after":[999]}"#, 422, "after"),
            ("POST", "/api/v1/jobs", #"{"name":"x","max_attempts":0}"#, 400, "max_attempts"),
            ("POST", "/api/v1/jobs", #"{"name":"bell\u0007"}"#, 400, "name"),
            ("POST", "/api/v1/jobs", #"[1,2]"#, 400, nil),
            ("POST", "/api/v1/jobs", #"{"name":"x","max_attempts":0}"#, 400, "max_attempts"),
            ("POST", "/api/v1/jobs", #"{"name":"x","delay":"5s","run_at":"2030-01-01T00:00:00Z"}"#, 400, "delay"),
            ("POST", "/api/v1/jobs", #"{"name":"x","payload":{"a":1},"priority":99999999999}"#, 400, "priority"),
            ("POST", "/api/v1/jobs", #"{"name":"x""#, 400, nil),
            ("GET", "/api/v1/jobs/999", nil, 404, nil),
            ("GET", "/api/v1/jobs/-1", nil, 400, "id"),
            ("GET", "/api/v1/jobs?limit=0", nil, 400, "limit"),
            ("GET", "/api/v1/jobs?state=sleeping", nil, 400, "state"),
            ("GET", "/api/v1/jobs?before=x", nil, 400, "before"),
            ("POST", "/api/v1/jobs/cancel", "{}", 400, "filter"),
            ("POST", "/api/v1/jobs/retry", #"{"queue":"q"}"#, 400, "state"),
            ("GET", "/api/v1/queues/nope", nil, 404, nil),
            ("POST", "/api/v1/schedules/nope/pause", nil, 404, nil),
            ("PUT", "/api/v1/schedules/nope", #"{"cron":"61 * * * *"}"#, 404, nil),
            ("POST", "/api/v1/workflows", "workflows: {w: {tasks: [{name: a, depends_on: [b]}]}}", 400, nil),
            ("POST", "/api/v1/workflows/nope/runs", #"{"version":"2"}"#, 404, nil),
            ("GET", "/api/v1/workflow-runs/nope", nil, 404, nil),
            ("GET", "/api/v1/workflow-runs?state=odd", nil, 400, "state"),
            ("GET", "/api/v1/nothing-here", nil, 404, nil),
        ] as [(String, String, String?, Int, String?)])
    func badRequests(_ method: String, _ uri: String, _ body: String?, _ status: Int, _ field: String?) async throws {
        try await withAPI { _, call in
            let reply = try await call(uri, HTTPRequest.Method(method)!, body, nil)
            #expect(reply.status == status, "\(method) \(uri): \(reply.status) \(reply.text)")
            let error = try #require(reply.object["error"] as? [String: Any], "\(reply.text)")
            #expect(Set(error.keys) == ["code", "message", "field"])
            if let field { #expect(reply.errorField == field, "\(reply.text)") }
        }
    }

    @Test("a request that outlives the request timeout is answered 503 timeout, and its work is cancelled")
    func requestTimeout() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try SQLiteJobStore(path: dir.appendingPathComponent("api.db").path)
        try await base.migrate()
        try await base.configureQueues([QueueSettings(name: "default")])
        let store = RecordingStore(base, hangQueueStats: true)
        var logger = Logger(label: "steward.test")
        logger.logLevel = .critical
        let api = StewardAPI(store: store, configuration: .init(requestTimeout: .milliseconds(200)), logger: logger)
        let started = ContinuousClock.now
        try await Application(router: api.router(), logger: logger).test(.router) { client in
            try await client.execute(uri: "/api/v1/queues/default", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(#""code":"timeout""#))
            }
        }
        // The hung store call (an hour) was cancelled, not waited for.
        #expect(ContinuousClock.now - started < .seconds(30))
        try await base.close()
    }

    @Test("an oversized body is refused with 413")
    func oversized() async throws {
        try await withAPI(maxBody: 1_000) { _, call in
            let big = #"{"name":"x","payload":""# + String(repeating: "a", count: 5_000) + #""}"#
            let reply = try await call("/api/v1/jobs", .post, big, nil)
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.errorCode == "body_too_large")
        }
    }

    @Test("tokens: none 401, wrong 401, read may GET but not POST (403), admin may do both; health is open")
    func auth() async throws {
        let tokens = [
            try AccessToken(name: "grafana", sha256: AccessToken.sha256Hex(Self.readToken), scope: .read),
            AccessToken(name: "ci", plaintext: Self.adminToken, scope: .admin),
        ]
        try await withAPI(tokens: tokens) { _, call in
            #expect(try await call("/healthz", .get, nil, nil).status == 200)
            #expect(try await call("/readyz", .get, nil, nil).status == 200)
            let none = try await call("/api/v1/queues", .get, nil, nil)
            #expect(none.status == 401 && none.errorCode == "unauthorized")
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await call("/api/v1/queues", .get, nil, "wrong").status == 401)
            #expect(try await call("/metrics", .get, nil, nil).status == 401)
            #expect(try await call("/api/v1/queues", .get, nil, Self.readToken).status == 200)
            let forbidden = try await call("/api/v1/jobs", .post, #"{"name":"x"}"#, Self.readToken)
            #expect(forbidden.status == 403 && forbidden.errorCode == "forbidden")
            #expect(try await call("/api/v1/jobs", .post, #"{"name":"x"}"#, Self.adminToken).status == 201)
        }
    }

    @Test("workers over HTTP: online, stopped, and gone after three missed reports, online first; the CLI's keys")
    func workers() async throws {
        try await withAPI { store, call in
            #expect(try await call("/api/v1/workers", .get, nil, nil).list.isEmpty)
            let now = Date()
            let q = [WorkerPresence.Queue(name: "default", concurrency: 2)]
            let cutoff = now.addingTimeInterval(-86_400)
            // Silent for 31 s with a 10 s report interval: gone. Stopped cleanly: stopped. Reported now: online.
            try await store.recordWorker(
                WorkerPresence(id: "w-gone", host: "h1", pid: 11, queues: q, running: 1, startedAt: now.addingTimeInterval(-60),
                    lastHeartbeatAt: now.addingTimeInterval(-31)), forgetBefore: cutoff)
            try await store.recordWorker(
                WorkerPresence(id: "w-stopped", host: "h2", pid: 12, queues: q, running: 0, startedAt: now.addingTimeInterval(-50),
                    lastHeartbeatAt: now.addingTimeInterval(-40), stoppedAt: now.addingTimeInterval(-40)), forgetBefore: cutoff)
            try await store.recordWorker(
                WorkerPresence(id: "w-online", host: "h3", pid: 13, queues: q, running: 2, startedAt: now.addingTimeInterval(-5),
                    lastHeartbeatAt: now), forgetBefore: cutoff)
            let list = try await call("/api/v1/workers", .get, nil, nil).list
            #expect(list.map { $0["id"] as? String } == ["w-online", "w-stopped", "w-gone"])
            #expect(list.map { $0["state"] as? String } == ["online", "stopped", "gone"])
            #expect(list.allSatisfy {
                Set($0.keys) == ["id", "host", "pid", "queues", "running", "state", "started_at", "last_heartbeat_at", "last_heartbeat_age_seconds", "stopped_at"]
            })
            #expect(list[0]["stopped_at"] is NSNull)
            #expect((list[2]["last_heartbeat_age_seconds"] as? Double ?? 0) >= 31)
        }
    }

    @Test("activity over HTTP: counts over every queue, today's attempts, every minute of the window; a job's dependents; retrying jobs")
    func activity() async throws {
        try await withAPI { store, call in
            let now = Date()
            let ids = try await store.enqueue([NewJob(queue: "a", name: "ok"), NewJob(queue: "b", name: "flaky")], now: now).map(\.id)
            let later = try await store.enqueue([NewJob(queue: "b", name: "child", runAt: now.addingTimeInterval(600), dependsOn: [ids[0]])], now: now)[0].id
            let a = try await store.claim(queue: "a", names: nil, limit: 5, owner: "w", leaseUntil: now.addingTimeInterval(60), now: now)
            let b = try await store.claim(queue: "b", names: nil, limit: 5, owner: "w", leaseUntil: now.addingTimeInterval(60), now: now)
            let error = JobErrorInfo(type: "Timeout", message: "slow", attempt: 1)
            _ = try await store.complete(
                [
                    JobOutcome(id: a[0].record.id, owner: "w", startedAt: now, kind: .succeeded(result: nil)),
                    JobOutcome(id: b[0].record.id, owner: "w", startedAt: now, kind: .retry(runAt: now.addingTimeInterval(300), error: error)),
                ], now: now)
            let reply = try await call("/api/v1/activity?minutes=5", .get, nil, nil)
            #expect(reply.status == 200)
            let o = reply.object
            #expect(Set(o.keys) == ["at", "day_start", "processed_today", "failed_today", "running", "enqueued", "scheduled", "retrying", "dead", "minutes"])
            #expect(o["processed_today"] as? Int == 2)
            #expect(o["failed_today"] as? Int == 1)
            #expect(o["scheduled"] as? Int == 2, "the retry, and the child its parent's success released, due in 10 min")
            #expect(o["retrying"] as? Int == 1)
            #expect(o["running"] as? Int == 0 && o["enqueued"] as? Int == 0 && o["dead"] as? Int == 0)
            let minutes = try #require(o["minutes"] as? [[String: Any]])
            #expect(minutes.count == 5)
            #expect(minutes.allSatisfy { Set($0.keys) == ["at", "succeeded", "failed"] })
            // Both attempts ended in the current minute (or, across a minute's turn, the one before).
            #expect(minutes.map { $0["succeeded"] as? Int ?? 0 }.reduce(0, +) == 1)
            #expect(minutes.map { $0["failed"] as? Int ?? 0 }.reduce(0, +) == 1)
            #expect(try await call("/api/v1/activity", .get, nil, nil).object["minutes"].map { ($0 as? [Any])?.count } == 60)
            let bad = try await call("/api/v1/activity?minutes=2000", .get, nil, nil)
            #expect(bad.status == 400 && bad.errorCode == "invalid_argument" && bad.text.contains("minutes"))

            #expect(try await call("/api/v1/jobs/\(ids[0])/dependents", .get, nil, nil).text == "[\(later)]")
            #expect(try await call("/api/v1/jobs/\(later)/dependents", .get, nil, nil).text == "[]")
            #expect(try await call("/api/v1/jobs/999999/dependents", .get, nil, nil).status == 404)

            let retrying = try await call("/api/v1/jobs?retrying=true", .get, nil, nil).list
            #expect(retrying.map { $0["id"] as? Int } == [Int(ids[1].rawValue)])
            #expect(try await call("/api/v1/jobs?retrying=maybe", .get, nil, nil).status == 400)
            #expect(try await call("/api/v1/jobs?retrying=true&state=dead", .get, nil, nil).status == 400)
        }
    }

    @Test("queues, schedules and workflows over HTTP")
    func queuesSchedulesWorkflows() async throws {
        try await withAPI { store, call in
            _ = try await call("/api/v1/jobs", .post, #"{"name":"x","queue":"mail"}"#, nil)
            let queues = try await call("/api/v1/queues", .get, nil, nil)
            #expect(queues.list.first { $0["name"] as? String == "mail" }?["waiting"] as? Int == 1)
            let stats = try await call("/api/v1/queues/mail", .get, nil, nil)
            #expect(Set(stats.object.keys) == ["queue", "paused", "counts", "running", "succeeded_last_minute", "failed_last_minute", "error_rate", "oldest_waiting_age_s"])
            #expect(try await call("/api/v1/queues/mail/pause", .post, nil, nil).object["paused"] as? Bool == true)
            #expect(try await call("/api/v1/queues/mail/resume", .post, nil, nil).object["paused"] as? Bool == false)

            try await Scheduler(store: store, schedules: [try .every("tick", .seconds(60), job: ScheduledJob(name: "steward.noop"))]).register()
            #expect(try await call("/api/v1/schedules", .get, nil, nil).list.map { $0["name"] as? String } == ["tick"])
            #expect(try await call("/api/v1/schedules/tick/pause", .post, nil, nil).object["paused"] as? Bool == true)
            #expect(try await call("/api/v1/schedules/tick/resume", .post, nil, nil).object["paused"] as? Bool == false)
            let fired = try await call("/api/v1/schedules/tick/trigger", .post, nil, nil)
            #expect(fired.status == 201 && Set(fired.object.keys) == ["id", "state", "duplicate"])
            let updated = try await call("/api/v1/schedules/tick", .put, #"{"cron":"0 9 * * *","timezone":"Europe/Paris"}"#, nil)
            #expect(updated.status == 200 && (updated.object["trigger"] as? String)?.contains("0 9 * * *") == true, "\(updated.text)")
            #expect(try await call("/api/v1/schedules/tick", .put, #"{"cron":"61 * * * *"}"#, nil).status == 400)

            let yaml = "workflows:\n  hello:\n    version: 1\n    tasks:\n      - name: greet\n        job: steward.echo\n        input: {who: \"{{input.name}}\"}\n"
            let applied = try await call("/api/v1/workflows", .post, yaml, nil)
            #expect(applied.status == 201 && applied.list.first?["status"] as? String == "created", "\(applied.text)")
            let run = try await call("/api/v1/workflows/hello/runs", .post, #"{"input":{"name":"Ada"}}"#, nil)
            #expect(run.status == 201 && run.object["state"] as? String == "running")
            let id = try #require(run.object["id"] as? String)
            #expect(try await call("/api/v1/workflow-runs/\(id)", .get, nil, nil).object["workflow"] as? String == "hello")
            #expect(try await call("/api/v1/workflow-runs?workflow=hello", .get, nil, nil).list.count == 1)
            #expect(try await call("/api/v1/workflow-runs/\(id)/logs", .get, nil, nil).list.first?["event"] as? String == "created")
            let running = try await call("/api/v1/workflow-runs/\(id)/retry", .post, nil, nil)
            #expect(running.status == 409 && running.text.contains("invalid_transition"), "\(running.text)")
            #expect(try await call("/api/v1/workflow-runs/\(id)/cancel", .post, nil, nil).status == 200)
            // The same rule as for jobs: a wrong state is 409 invalid_transition, not 400.
            let again = try await call("/api/v1/workflow-runs/\(id)/cancel", .post, nil, nil)
            #expect(again.status == 409 && again.text.contains("invalid_transition"), "\(again.text)")
            #expect(try await call("/api/v1/workflows", .get, nil, nil).object["workflows"] != nil)

            // A name with no definition: a code workflow's run, with its id; signal, status, cancel.
            let code = try await call("/api/v1/workflows/orders.code/runs", .post, #"{"id":"c-1","input":{"n":1},"queue":"orders","timeout":"1h"}"#, nil)
            #expect(code.status == 201 && code.object["kind"] as? String == "code" && code.object["id"] as? String == "c-1", "\(code.text)")
            #expect(code.object["version"] is NSNull && (code.object["steps"] as? [Any])?.isEmpty == true)
            #expect(try await store.jobs(JobFilter(queue: "orders"), now: Date()).map(\.name) == ["orders.code"])
            let signalled = try await call("/api/v1/workflow-runs/c-1/signal", .post, #"{"topic":"approve","payload":{"by":"ops"}}"#, nil)
            #expect(signalled.status == 200 && signalled.object["id"] as? String == "c-1", "\(signalled.text)")
            let noTopic = try await call("/api/v1/workflow-runs/c-1/signal", .post, #"{"payload":1}"#, nil)
            #expect(noTopic.status == 400 && noTopic.text.contains("topic"), "\(noTopic.text)")
            let toDAG = try await call("/api/v1/workflow-runs/\(id)/signal", .post, #"{"topic":"x"}"#, nil)
            #expect(toDAG.status == 400 && toDAG.text.contains("only code runs receive messages"), "\(toDAG.text)")
            let rows = try await call("/api/v1/workflow-runs", .get, nil, nil).list
            #expect(rows.map { $0["kind"] as? String } .contains("code") && rows.allSatisfy { $0.keys.contains("version") })
            let cancelled = try await call("/api/v1/workflow-runs/c-1/cancel", .post, nil, nil)
            #expect(cancelled.status == 200 && cancelled.object["kind"] as? String == "code", "\(cancelled.text)")
            #expect(try await call("/api/v1/workflow-runs/c-1/retry", .post, nil, nil).status == 409)
        }
    }

    @Test("serve configuration: a relative sqlite store is the file's folder's (as monitor paths); none set leaves it to --store / STEWARD_STORE")
    func storePathRule() throws {
        #expect(try ServeConfiguration.parse("store: sqlite:data/s.db?synchronous=full\n", file: "/etc/steward/serve.yaml").store
            == "sqlite:/etc/steward/data/s.db?synchronous=full")
        #expect(try ServeConfiguration.parse("store: sqlite:./s.db\n", file: "/etc/steward/serve.yaml").store == "sqlite:/etc/steward/s.db")
        #expect(try ServeConfiguration.parse("store: sqlite:/var/s.db\n", file: "/etc/steward/serve.yaml").store == "sqlite:/var/s.db")
        #expect(try ServeConfiguration.parse("store: postgres://u@h/db\n", file: "/etc/steward/serve.yaml").store == "postgres://u@h/db")
        #expect(try ServeConfiguration.parse("queues: {a: {}}\n", file: "/etc/steward/serve.yaml").store == nil)
    }

    @Test("serve configuration: every section read; mistakes name file:line:column; secrets never printed")
    func configuration() throws {
        let text = """
            store: sqlite:/tmp/x.db
            http: {host: 0.0.0.0, port: 9090, max_body: 512KiB, request_timeout: 10s}
            auth:
              tokens:
                - {name: ci, env: STEWARD_TEST_TOKEN, scope: admin}
                - {name: ro, sha256: "\(AccessToken.sha256Hex("x"))", scope: read}
            queues:
              mail: {concurrency: 4, rate_limit: {requests_per_second: 5, burst_size: 2, scope: global}, max_depth: 100, timeout: 30s,
                     retry_policy: {max_attempts: 3, backoff: {type: fixed, initial: 2s}}}
            scheduler:
              tasks: [{name: nightly, schedule: "0 3 * * *", timezone: Europe/Berlin, job: steward.noop, input: {a: 1}}]
            workflows:
              w: {tasks: [{name: a, job: steward.echo}]}
            """
        let cfg = try ServeConfiguration.parse(text, file: "s.yaml", environment: ["STEWARD_TEST_TOKEN": "s3cret"])
        #expect(cfg.store == "sqlite:/tmp/x.db" && cfg.host == "0.0.0.0" && cfg.port == 9090 && cfg.api.maxBody == 512 * 1024)
        #expect(cfg.api.tokens.map(\.scope) == [.admin, .read])
        #expect(cfg.queues.first?.rateLimit?.scope == .global && cfg.queues.first?.maxDepth == 100)
        #expect(cfg.schedules?.first?.name == "nightly" && cfg.workflows.first?.name == "w")
        let alerting = try ServeConfiguration.parse(
            "alerts:\n  interval: 2s\n  notifiers: [{type: log}, {type: slack, url: 'https://hooks.example.com/x'}]\n  oldest_age: {warning: 5m}\nqueues:\n  mail: {alerts: {queue_depth: {critical: 10}}}\n",
            file: "a.yaml")
        let alerts = try #require(alerting.alerts)
        #expect(alerts.interval == .seconds(2) && alerts.notifiers == [.log, .slack("https://hooks.example.com/x")])
        #expect(alerts.rules.defaults[.queueDepth] == AlertThresholds(info: 20, warning: 50, critical: 100))
        #expect(alerts.rules.defaults[.oldestAge] == AlertThresholds(warning: 300))
        #expect(alerts.rules.overrides["mail"]?[.queueDepth] == AlertThresholds(critical: 10))
        let mistakes: [(String, [String: String], Int, String)] = [
            ("http: {host: 0.0.0.0}\n", [:], 1, "not a loopback address and auth has no tokens"),
            ("auth:\n  tokens:\n    - {name: ci, env: MISSING_VAR, scope: admin}\n", [:], 3, "environment variable MISSING_VAR is not set"),
            ("auth:\n  tokens:\n    - {name: ci, sha256: abc, scope: admin}\n", [:], 3, "sha256 must be 64 hex digits"),
            ("auth:\n  tokens:\n    - {name: ci, sha256: abc, scope: root}\n", [:], 3, "is not read or admin"),
            ("queues:\n  q: {concurency: 3}\n", [:], 2, "unknown key 'concurency'"),
            ("queues:\n  q: {rate_limit: {requests_per_second: 0}}\n", [:], 2, "rate"),
            ("scheduler:\n  tasks:\n    - {name: n, schedule: \"61 * * * *\", job: x}\n", [:], 3, "minute"),
            ("http: {max_body: huge}\n", [:], 1, "not a size"),
            ("workers: {}\n", [:], 1, "unknown key 'workers'"),
            ("queues:\n  q: {alerts: {queue_depth: {warning: 5}}}\n", [:], 2, "add a top-level 'alerts' section"),
            ("alerts: {queue_depth: {warning: 50, info: 80}}\n", [:], 1, "must rise from info to warning to critical"),
            ("alerts: {notifiers: [{type: pager}]}\n", [:], 1, "'pager' is not log, webhook or slack"),
            ("alerts: {notifiers: [{type: webhook, url: 'ftp://x'}]}\n", [:], 1, "is not an http(s) URL"),
            ("alerts: {failure_rate: {critical: 2}}\n", [:], 1, "is not a rate in (0, 1]"),
        ]
        for (yaml, env, line, message) in mistakes {
            #expect {
                _ = try ServeConfiguration.parse(yaml, file: "s.yaml", environment: env)
            } throws: { error in
                let e = error as? ConfigFileError
                return e?.line == line && e?.message.contains(message) == true && !"\(error)".contains("s3cret")
            }
        }
    }
    @Test("monitors in the serve configuration; their windows over HTTP (all, failed only, unknown task 404)")
    func monitors() async throws {
        let base = examplesDirectory.deletingLastPathComponent().appendingPathComponent("quality").path
        let text = """
            monitors:
              sources:
                sensors:
                  path: sensors.csv
                  format: csv
                  time: ts
                  columns: {sensor_id: string, ts: int, temperature: float?, humidity: float, status: string}
              tasks:
                - name: volume
                  source: sensors
                  window: {tumbling: 60}
                  checks: [{name: readings, measure: count, must_be: ">= 40"}, {name: hot, measure: max, column: temperature, must_be: "< 40"}]
            """
        let cfg = try ServeConfiguration.parse(text, file: base + "/serve.yaml")
        let quality = try #require(cfg.monitors)
        #expect(quality.tasks.map(\.name) == ["volume"])
        let recent = RecentWindows(tasks: ["volume"])
        try await quality.makeMonitor(sink: { recent.sink(for: $0) }).run()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-mon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("m.db").path)
        try await store.migrate()
        var logger = Logger(label: "steward.test")
        logger.logLevel = .critical
        let app = Application(router: StewardAPI(store: store, configuration: .init(), monitors: recent, logger: logger).router(), logger: logger)
        try await app.test(.router) { client in
            let list = try await client.executeRequest(uri: "/api/v1/monitors", method: .get, headers: [:], body: nil)
            let rows = try #require(JSONSerialization.jsonObject(with: Data(String(buffer: list.body).utf8)) as? [[String: Any]])
            #expect(rows.count == 1 && rows[0]["task"] as? String == "volume")
            let total = try #require(rows[0]["windows"] as? Int)
            let failedCount = try #require(rows[0]["failed_windows"] as? Int)
            #expect(total > 0 && failedCount > 0 && failedCount <= total && rows[0]["last_window_end"] is NSNumber, "\(rows)")
            let failed = try await client.executeRequest(uri: "/api/v1/monitors/volume/windows?failed=true&limit=1000", method: .get, headers: [:], body: nil)
            let windows = try #require(JSONSerialization.jsonObject(with: Data(String(buffer: failed.body).utf8)) as? [[String: Any]])
            #expect(windows.count == failedCount && windows.allSatisfy { $0["passed"] as? Bool == false })
            #expect(try await client.executeRequest(uri: "/api/v1/monitors/nope/windows", method: .get, headers: [:], body: nil).status == .notFound)
            #expect(try await client.executeRequest(uri: "/api/v1/monitors/volume/windows?failed=maybe", method: .get, headers: [:], body: nil).status == .badRequest)
        }
        try await store.close()
        #expect {
            _ = try ServeConfiguration.parse("monitors:\n  sources: {}\n  task: []\n", file: "m.yaml")
        } throws: { ($0 as? ConfigFileError)?.message.contains("monitors: unknown key 'task'") == true }
    }

    @Test("pipelines over HTTP: apply, start, finish with the anomaly check run by a worker, tree, checks, lineage, touch, quality report; errors")
    func pipelines() async throws {
        try await withAPI(tokens: [
            AccessToken(name: "r", plaintext: Self.readToken, scope: .read), AccessToken(name: "a", plaintext: Self.adminToken, scope: .admin),
        ]) { store, call in
            let admin = Self.adminToken
            let catalog = """
                pipelines:
                  load: {max_duration: 10m, reads: [raw], writes: [clean], anomaly: {metrics: [duration], min_history: 2, lookback: 5}}
                  report: {reads: [clean], writes: [report]}
                datasets:
                  clean: {max_age: 1h}
                """
            let applied = try await call("/api/v1/pipelines", .post, catalog, admin)
            #expect(applied.status == 200 && applied.object["pipelines"] as? Int == 2, "\(applied.text)")
            #expect(try await call("/api/v1/pipelines", .post, catalog, Self.readToken).status == 403)
            let cyclic = try await call("/api/v1/pipelines", .post, "pipelines: {a: {reads: [x], writes: [y]}, b: {reads: [y], writes: [x]}}", admin)
            #expect(cyclic.status == 400 && cyclic.errorCode == "invalid_definition" && cyclic.text.contains("cycle"))
            let listed = try await call("/api/v1/pipelines", .get, nil, Self.readToken)
            let report = (listed.object["pipelines"] as? [[String: Any]])?.first { $0["name"] as? String == "report" }
            #expect(report?["max_duration_seconds"] is NSNull && report?["anomaly"] is NSNull)

            // Two normal runs of 100 s and 110 s, then one of 300 s: mean 105, std √50, z = 195/√50.
            let registry = JobRegistry()
            PipelineChecks.register(in: registry)
            let queues = PipelineChecks.queues.filter { $0.name == PipelineChecks.anomalies }
            try await withWorker(store: store, registry: registry, queues: queues, configuration: WorkerConfiguration(pollInterval: .milliseconds(20))) { _ in
                var last: [String: Any] = [:]
                for (i, seconds) in [100, 110, 300].enumerated() {
                    let start = "2026-11-0\(i + 1)T00:00:00Z"
                    let started = try await call("/api/v1/pipelines/load/executions", .post, #"{"at":"\#(start)"}"#, admin)
                    #expect(started.status == 201 && started.object["state"] as? String == "running", "\(started.text)")
                    let id = try #require(started.object["id"] as? Int)
                    let end = Date(iso8601: start)!.addingTimeInterval(Double(seconds)).iso8601UTC
                    let finished = try await call(
                        "/api/v1/pipeline-executions/\(id)/finish", .post, #"{"inserted": 5, "metrics": {"rows": 7}, "at": "\#(end)"}"#, admin)
                    #expect(finished.status == 200, "\(finished.text)")
                    last = finished.object
                }
                let anomalies = try #require(last["anomalies"] as? [[String: Any]])
                #expect(anomalies.count == 1 && anomalies.first?["metric"] as? String == "duration")
                #expect(abs((anomalies.first?["z"] as? Double ?? 0) - 195 / 50.0.squareRoot()) < 1e-9)
            }
            let id = 3
            let got = try await call("/api/v1/pipeline-executions/\(id)", .get, nil, Self.readToken)
            #expect(Set(got.object.keys) == [
                "id", "pipeline", "parent", "state", "started_at", "finished_at", "duration_seconds", "inserted", "updated", "deleted", "metrics", "workflow_run",
            ])
            #expect(got.object["duration_seconds"] as? Double == 300 && got.object["updated"] is NSNull && got.object["parent"] is NSNull)
            let twice = try await call("/api/v1/pipeline-executions/\(id)/finish", .post, "{}", admin)
            #expect(twice.status == 409 && twice.errorCode == "invalid_transition")
            let child = try await call("/api/v1/pipelines/report/executions", .post, #"{"parent": 3, "at": "2026-11-03T00:06:00Z"}"#, admin)
            #expect(child.status == 201 && child.object["parent"] as? Int == 3)
            let tree = try await call("/api/v1/pipeline-executions/3/tree", .get, nil, Self.readToken)
            #expect((tree.object["executions"] as? [[String: Any]])?.map { $0["depth"] as? Int } == [0, 1])
            let listedRuns = try await call("/api/v1/pipeline-executions?pipeline=load&state=succeeded", .get, nil, Self.readToken)
            #expect(listedRuns.list.count == 3)
            let anomalies = try await call("/api/v1/pipeline-anomalies?pipeline=load", .get, nil, Self.readToken)
            #expect((anomalies.object["anomalies"] as? [Any])?.count == 1)
            let fresh = try await call("/api/v1/checks/freshness?as_of=2026-11-03T00:10:00Z", .get, nil, Self.readToken)
            #expect((fresh.object["fresh"] as? [[String: Any]])?.first?["age_seconds"] as? Double == 300, "\(fresh.text)")
            let late = try await call("/api/v1/checks/timeliness?as_of=2026-11-03T01:00:00Z&lookback=2h", .get, nil, Self.readToken)
            #expect((late.object["late"] as? [Any])?.isEmpty == true, "\(late.text)")
            let lineage = try await call("/api/v1/lineage/raw?direction=downstream", .get, nil, Self.readToken)
            #expect(lineage.text == #"{"dataset":"raw","datasets":[{"depth":1,"name":"clean"},{"depth":2,"name":"report"}]}"#)
            let touched = try await call("/api/v1/datasets/report/touch", .post, #"{"at":"2026-11-03T00:00:00Z"}"#, admin)
            #expect(touched.status == 200 && touched.object["touched_at"] as? String == "2026-11-03T00:00:00.000Z")
            // Mistakes: 4xx with the field named.
            for (uri, method, body, status, code) in [
                ("/api/v1/pipelines/nope/executions", HTTPRequest.Method.post, "{}", 404, "not_found"),
                ("/api/v1/pipeline-executions/abc", .get, nil, 400, "invalid_argument"),
                ("/api/v1/pipeline-executions/99", .get, nil, 404, "not_found"),
                ("/api/v1/pipeline-executions/4/finish", .post, #"{"status":"running"}"#, 400, "invalid_argument"),
                ("/api/v1/pipeline-executions/4/finish", .post, #"{"inserted":-1}"#, 400, "invalid_argument"),
                ("/api/v1/pipeline-executions/4/finish", .post, #"{"at":"2000-01-01T00:00:00Z"}"#, 400, "invalid_argument"),
                ("/api/v1/pipeline-executions/4/finish", .post, #"{"metrics":{"duration":1}}"#, 400, "invalid_argument"),
                ("/api/v1/pipelines/load/executions", .post, #"{"parent": 999}"#, 404, "not_found"),
                ("/api/v1/checks/freshness?as_of=yesterday", .get, nil, 400, "invalid_argument"),
                ("/api/v1/checks/timeliness?lookback=soon", .get, nil, 400, "invalid_argument"),
                ("/api/v1/lineage/raw?direction=sideways", .get, nil, 400, "invalid_argument"),
                ("/api/v1/lineage/nope", .get, nil, 404, "not_found"),
                ("/api/v1/datasets/nope/touch", .post, "{}", 404, "not_found"),
                ("/api/v1/quality/checks/nope/report", .get, nil, 404, "not_found"),
            ] {
                let r = try await call(uri, method, body, admin)
                #expect(r.status == status && r.errorCode == code, "\(uri): \(r.status) \(r.text)")
                if body?.contains("inserted") == true { #expect(r.errorField == "inserted") }
                if body?.contains("metrics") == true { #expect(r.errorField == "metrics") }
                // The field is the error's own value, not read back from its message.
                if body?.contains("running") == true { #expect(r.errorField == "status") }
                if body?.contains("2000-01-01") == true { #expect(r.errorField == "at", "\(r.text)") }
            }
            // A stored batch check run reads back as the CLI's report.
            _ = try await store.recordQualityRun(
                QualityRunRecord(
                    check: "users", at: Date(), records: 4, completeness: 1, accuracy: 0.75, consistency: 1, overallScore: 0.925, passedAll: false,
                    result: "{}"))
            let q = try await call("/api/v1/quality/checks/users/report", .get, nil, Self.readToken)
            #expect(q.status == 200 && q.object["runs"] as? Int == 1 && q.object["previous"] is NSNull)
            #expect((q.object["change"] as? [String: Any])?["accuracy"] is NSNull)
        }
    }
}

