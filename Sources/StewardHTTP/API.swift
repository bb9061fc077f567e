import Foundation
import HTTPTypes
import Instrumentation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Steward
import Tracing

/// The HTTP API (`/api/v1`), health, readiness and `/metrics`, over the admin layer: the same
/// operations and JSON shapes as the CLI's `--json`.
public struct StewardAPI: Sendable {
    /// How the API behaves.
    public struct Configuration: Sendable {
        /// Largest request body, bytes.
        public var maxBody: Int
        /// Longest a request may take.
        public var requestTimeout: Duration
        /// Accepted bearer tokens; none means every request is admin (loopback only).
        public var tokens: [AccessToken]
        /// How long an `Idempotency-Key` answers with its job (and refuses a different request).
        public var idempotencyRetention: Duration

        /// Creates a configuration.
        public init(
            maxBody: Int = 1 << 20, requestTimeout: Duration = .seconds(30), tokens: [AccessToken] = [],
            idempotencyRetention: Duration = .seconds(24 * 3600)
        ) {
            self.maxBody = maxBody
            self.requestTimeout = requestTimeout
            self.tokens = tokens
            self.idempotencyRetention = idempotencyRetention
        }
    }

    let store: any StewardStore
    let configuration: Configuration
    let metrics: PrometheusCollectorRegistry?
    let monitors: RecentWindows?
    let history: QueueHistory?
    let logger: Logger

    /// Creates the API over `store`; `/metrics` emits `metrics` when given; `/api/v1/monitors`
    /// reads `monitors` (empty without).
    public init(
        store: any StewardStore, configuration: Configuration, metrics: PrometheusCollectorRegistry? = nil, monitors: RecentWindows? = nil,
        history: QueueHistory? = nil, logger: Logger
    ) {
        self.history = history
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.monitors = monitors
        self.logger = logger
    }

    /// The router with every route and middleware.
    public func router() -> Router<StewardRequestContext> {
        let router = Router(context: StewardRequestContext.self)
        // A span per request when a tracer is bootstrapped (`tracing` in the configuration); jobs
        // enqueued by the request continue its trace.
        if !(InstrumentationSystem.tracer is NoOpTracer) { router.add(middleware: Hummingbird.TracingMiddleware()) }
        router.add(middleware: ErrorMiddleware(logger: logger))
        router.add(middleware: HeadersMiddleware())
        router.add(middleware: AuthMiddleware(tokens: configuration.tokens))
        router.get("healthz") { _, _ in JSONResponse.make(["status": "ok"] as JSONValue) }
        router.get("readyz") { _, _ in try await self.ready() }
        router.get("metrics") { _, _ in self.metricsText() }
        router.get("/") { _, _ in Self.asset(DashboardAssets.html, "text/html; charset=utf-8") }
        router.get("assets/app.js") { _, _ in Self.asset(DashboardAssets.script, "text/javascript; charset=utf-8") }
        router.get("assets/app.css") { _, _ in Self.asset(DashboardAssets.style, "text/css; charset=utf-8") }
        router.get("favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let api = router.group("api/v1")
        addJobRoutes(api)
        addQueueRoutes(api)
        addScheduleRoutes(api)
        addWorkflowRoutes(api)
        addMonitorRoutes(api)
        addPipelineRoutes(api)
        route(api, .get, "session") { _, context in JSONResponse.make(["scope": context.scope.map { .string($0.rawValue) } ?? .null] as JSONValue) }
        return router
    }

    /// Registers a route whose handler answers 503 after the request timeout (a stuck store must
    /// not hold a client forever).
    func route(
        _ group: RouterGroup<StewardRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, StewardRequestContext) async throws -> Response
    ) {
        let timeout = configuration.requestTimeout
        group.on(path, method: method) { request, context in
            try await withThrowingTaskGroup(of: Response.self) { tasks in
                tasks.addTask { try await handler(request, context) }
                tasks.addTask {
                    try await Task.sleep(for: timeout)
                    throw APIError(.serviceUnavailable, "timeout", "the request took longer than \(timeout)")
                }
                defer { tasks.cancelAll() }
                return try await tasks.next()!
            }
        }
    }

    /// A dashboard file, under a Content-Security-Policy that allows no inline script or style.
    static func asset(_ text: String, _ type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type,
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                HTTPField.Name("X-Frame-Options")!: "DENY", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func ready() async throws -> Response {
        do {
            _ = try await withStoreDeadline("readyz", timeout: .seconds(5)) { try await self.store.queues() }
            return JSONResponse.make(["status": "ready"] as JSONValue)
        } catch {
            return APIError(.serviceUnavailable, "store_unavailable", "\(error)").response()
        }
    }

    func metricsText() -> Response {
        var buffer: [UInt8] = []
        metrics?.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    // MARK: jobs

    static let enqueueFields: Set<String> = [
        "name", "queue", "payload", "priority", "delay", "run_at", "timeout", "max_attempts", "unique_key", "metadata", "after",
    ]

    func addJobRoutes(_ api: RouterGroup<StewardRequestContext>) {
        let jobs = JobAdmin(store: store)
        route(api, .post, "jobs") { request, _ in
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: Self.enqueueFields)
            let job = try Self.newJob(body)
            // An Idempotency-Key answers with its first job for its whole retention, whatever that
            // job's state (the store keeps it); `unique_key` only dedupes against live jobs.
            if let key = request.headers[HTTPField.Name("Idempotency-Key")!] {
                guard !key.isEmpty, key.count <= 255 else { throw APIError.invalid("Idempotency-Key", "must be 1 to 255 characters") }
                let fingerprint = AccessToken.sha256Hex(JSONValue.object(body.fields).jsonText)
                let (record, replayed) = try await jobs.enqueue(
                    job, idempotencyKey: key, fingerprint: fingerprint, retention: configuration.idempotencyRetention)
                return JSONResponse.make(
                    JobView(record), status: replayed ? .ok : .created,
                    headers: replayed ? [HTTPField.Name("Idempotent-Replayed")!: "true"] : [:])
            }
            let result = try await jobs.enqueue([job])[0]
            let record = try await jobs.get(result.id)
            return JSONResponse.make(JobView(record), status: result.duplicate ? .ok : .created)
        }
        route(api, .get, "jobs") { request, _ in
            let q = request.uri.queryParameters
            let limit = try Self.queryInt(q.get("limit"), "limit", default: 100, range: 1...1000)
            let before = try q.get("before").map { try Self.jobID($0, field: "before") }
            let state = try q.get("state").map { text -> JobState in
                do { return try JobState.parse(text) } catch { throw APIError.invalid("state", "'\(text)' is not a job state") }
            }
            let records = try await jobs.list(JobFilter(queue: q.get("queue"), state: state, name: q.get("name"), limit: limit, beforeID: before))
            // The next page starts below the last id; the header is absent on the last page.
            let next: HTTPFields = records.count == limit ? [HTTPField.Name("X-Next-Before")!: "\(records.last!.id)"] : [:]
            return JSONResponse.make(records.map(JobView.init), headers: next)
        }
        route(api, .get, "jobs/:id") { _, context in
            JSONResponse.make(JobView(try await jobs.get(try Self.jobID(context, "id"))))
        }
        route(api, .get, "jobs/:id/history") { _, context in
            JSONResponse.make(try await jobs.history(try Self.jobID(context, "id")).map(AttemptView.init))
        }
        route(api, .post, "jobs/:id/cancel") { _, context in
            JSONResponse.make(JobView(try await jobs.cancel(try Self.jobID(context, "id"))))
        }
        route(api, .post, "jobs/:id/retry") { _, context in
            JSONResponse.make(JobView(try await jobs.retry(try Self.jobID(context, "id"))))
        }
        route(api, .post, "jobs/cancel") { request, _ in
            JSONResponse.make(try await jobs.cancelAll(try await Self.filter(request, limit: configuration.maxBody)))
        }
        route(api, .post, "jobs/retry") { request, _ in
            JSONResponse.make(try await jobs.retryAll(try await Self.filter(request, limit: configuration.maxBody)))
        }
    }

    static func newJob(_ body: Body) throws -> NewJob {
        guard let name = try body.string("name") else { throw APIError.invalid("name", "required") }
        var job = NewJob(queue: try body.string("queue") ?? "default", name: name)
        job.payload = body.fields["payload"].map(\.jsonText) ?? "{}"
        job.priority = try body.int("priority") ?? 0
        if let at = try body.instant("run_at") {
            job.runAt = at
        } else if let delay = try body.duration("delay") {
            job.runAt = Date().addingTimeInterval(delay.seconds)
        }
        job.timeout = try body.duration("timeout")
        if let attempts = try body.int("max_attempts") {
            guard attempts >= 1 else { throw APIError.invalid("max_attempts", "must be at least 1, got \(attempts)") }
            var policy = RetryPolicy.default
            policy.maxAttempts = attempts
            job.retryPolicy = policy
        }
        job.uniqueKey = try body.string("unique_key")
        job.metadata = try body.stringMap("metadata")
        job.dependsOn = try body.ids("after")
        try job.validate()
        return job
    }

    static func filter(_ request: Request, limit: Int) async throws -> JobFilter {
        let body = try await Body.read(request, limit: limit, allowed: ["queue", "state", "name"])
        let state = try body.string("state").map { text -> JobState in
            do { return try JobState.parse(text) } catch { throw APIError.invalid("state", "'\(text)' is not a job state") }
        }
        let filter = JobFilter(queue: try body.string("queue"), state: state, name: try body.string("name"), limit: 500)
        guard filter.queue != nil || filter.state != nil || filter.name != nil else {
            throw APIError(.badRequest, "invalid_argument", "a bulk action needs at least one of queue, state, name")
        }
        return filter
    }

    static func jobID(_ context: StewardRequestContext, _ key: String) throws -> JobID {
        try jobID(context.parameters.get(key) ?? "", field: key)
    }

    static func jobID(_ text: String, field: String) throws -> JobID {
        guard let n = Int64(text), n > 0 else { throw APIError.invalid(field, "'\(text)' is not a job id") }
        return JobID(n)
    }

    static func queryInt(_ text: String?, _ field: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return d }
        guard let n = Int(text), range.contains(n) else {
            throw APIError.invalid(field, "'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    // MARK: queues

    func addQueueRoutes(_ api: RouterGroup<StewardRequestContext>) {
        let queues = QueueAdmin(store: store)
        route(api, .get, "queues") { _, _ in JSONResponse.make(try await queues.list().map(QueueView.init)) }
        route(api, .get, "queues/:name/history") { _, context in
            let name = context.parameters.get("name") ?? ""
            _ = try await queues.stats(name)  // 404 for an unknown queue
            return JSONResponse.make(history?.samples(name) ?? [])
        }
        route(api, .get, "queues/:name") { _, context in
            JSONResponse.make(try await queues.stats(context.parameters.get("name") ?? ""))
        }
        route(api, .post, "queues/:name/pause") { _, context in
            let name = context.parameters.get("name") ?? ""
            try await queues.pause(name)
            return JSONResponse.make(try await queues.stats(name))
        }
        route(api, .post, "queues/:name/resume") { _, context in
            let name = context.parameters.get("name") ?? ""
            try await queues.resume(name)
            return JSONResponse.make(try await queues.stats(name))
        }
    }

    // MARK: schedules

    func addScheduleRoutes(_ api: RouterGroup<StewardRequestContext>) {
        let schedules = ScheduleAdmin(store: store)
        route(api, .get, "schedules") { _, _ in JSONResponse.make(try await schedules.list().map(ScheduleView.init)) }
        route(api, .post, "schedules/:name/pause") { _, context in
            let name = context.parameters.get("name") ?? ""
            try await schedules.pause(name)
            return JSONResponse.make(ScheduleView(try await schedules.get(name)))
        }
        route(api, .post, "schedules/:name/resume") { _, context in
            let name = context.parameters.get("name") ?? ""
            try await schedules.resume(name)
            return JSONResponse.make(ScheduleView(try await schedules.get(name)))
        }
        route(api, .post, "schedules/:name/trigger") { _, context in
            JSONResponse.make(EnqueueView(try await schedules.trigger(context.parameters.get("name") ?? "")), status: .created)
        }
        route(api, .put, "schedules/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["cron", "timezone", "every", "jitter"])
            let trigger: Schedule.Trigger
            switch (try body.string("cron"), try body.duration("every")) {
            case (let cron?, nil): trigger = .cron(expression: cron, timeZone: try body.string("timezone") ?? "UTC")
            case (nil, let every?): trigger = .interval(seconds: every.seconds, anchor: nil, jitter: try body.duration("jitter")?.seconds ?? 0)
            default: throw APIError(.badRequest, "invalid_argument", "give exactly one of cron and every")
            }
            try await schedules.update(name, trigger: trigger)
            return JSONResponse.make(ScheduleView(try await schedules.get(name)))
        }
    }

    // MARK: monitors

    func addMonitorRoutes(_ api: RouterGroup<StewardRequestContext>) {
        route(api, .get, "monitors") { _, _ in JSONResponse.make(monitors?.summary() ?? []) }
        route(api, .get, "monitors/:task/windows") { request, context in
            let task = context.parameters.get("task") ?? ""
            let q = request.uri.queryParameters
            let limit = try Self.queryInt(q.get("limit"), "limit", default: 100, range: 1...1000)
            let failed: Bool
            switch q.get("failed") {
            case nil, "false": failed = false
            case "true": failed = true
            case let other?: throw APIError.invalid("failed", "'\(other)' is not true or false")
            }
            guard let rows = monitors?.windows(task, failed: failed, limit: limit) else {
                throw APIError(.notFound, "not_found", "monitor task '\(task)' not found")
            }
            return JSONResponse.make(rows)
        }
    }

    // MARK: workflows

    func addWorkflowRoutes(_ api: RouterGroup<StewardRequestContext>) {
        let workflows = WorkflowAdmin(store: store)
        route(api, .post, "workflows") { request, _ in
            // YAML (the file `workflow apply` reads) or JSON of the same shape.
            let text = String(buffer: try await request.body.collect(upTo: configuration.maxBody))
            let definitions = try WorkflowFile.parse(text, file: "request body")
            return JSONResponse.make(try await workflows.apply(definitions), status: .created)
        }
        route(api, .get, "workflows") { _, _ in JSONResponse.make(try await workflows.list(limit: 50)) }
        route(api, .post, "workflows/:name/runs") { request, context in
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["input", "version"])
            let run = try await workflows.run(
                context.parameters.get("name") ?? "", version: try body.string("version"), input: body.fields["input"] ?? .object([:]))
            return JSONResponse.make(try await workflows.status(run.id), status: .created)
        }
        route(api, .get, "workflow-runs") { request, _ in
            let q = request.uri.queryParameters
            let state = try q.get("state").map { text -> WorkflowRunState in
                guard let s = WorkflowRunState(rawValue: text) else { throw APIError.invalid("state", "'\(text)' is not a workflow run state") }
                return s
            }
            let limit = try Self.queryInt(q.get("limit"), "limit", default: 50, range: 1...1000)
            let runs = try await store.workflowRuns(WorkflowRunFilter(workflow: q.get("workflow"), state: state, limit: limit))
            return JSONResponse.make(runs.map(WorkflowListView.Run.init))
        }
        route(api, .get, "workflow-runs/:id") { _, context in JSONResponse.make(try await workflows.status(context.parameters.get("id") ?? "")) }
        route(api, .get, "workflow-runs/:id/logs") { _, context in JSONResponse.make(try await workflows.logs(context.parameters.get("id") ?? "")) }
        route(api, .post, "workflow-runs/:id/cancel") { _, context in
            let id = context.parameters.get("id") ?? ""
            _ = try await workflows.cancel(id)
            return JSONResponse.make(try await workflows.status(id))
        }
        route(api, .post, "workflow-runs/:id/retry") { _, context in
            let id = context.parameters.get("id") ?? ""
            _ = try await workflows.retry(id)
            return JSONResponse.make(try await workflows.status(id))
        }
    }
}
