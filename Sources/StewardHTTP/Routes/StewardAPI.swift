import Foundation
import HTTPTypes
import Instrumentation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Steward
import StewardConfig
import Tracing

/// The HTTP API (`/api/v1`), health, readiness and `/metrics`, over the admin layer: the same
/// operations and JSON shapes as the CLI's `--json`.
public struct StewardAPI: Sendable {
    let store: any StewardStore
    let configuration: APISettings
    let metrics: PrometheusCollectorRegistry?
    let monitors: RecentWindows?
    let history: QueueHistory?
    let logger: Logger

    /// Creates the API over `store`; `/metrics` emits `metrics` when given; `/api/v1/monitors`
    /// reads `monitors` (empty without).
    public init(
        store: any StewardStore, configuration: APISettings, metrics: PrometheusCollectorRegistry? = nil, monitors: RecentWindows? = nil,
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
        addWorkerRoutes(api)
        addEventRoutes(api)
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
            try await withTimeout(timeout, throwing: APIError(.serviceUnavailable, "timeout", "the request took longer than \(timeout)")) {
                try await handler(request, context)
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
}
