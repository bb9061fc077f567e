import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Steward
import StewardStores

/// A report a customer asks for: a typed job, its parameters the request's body.
struct GenerateReport: Job {
    static let name = "reports.generate"
    var customer: String
    var months: Int

    struct Report: Codable, Sendable {
        var customer: String
        var lines: [String]
    }

    func run(context: JobContext) async throws -> Report {
        var lines: [String] = []
        for month in 1...months {
            try Task.checkCancellation()
            context.reportProgress(JobProgress(step: month, totalSteps: months, message: "month \(month)"))
            lines.append("\(customer): month \(month) ok")
        }
        return Report(customer: customer, lines: lines)
    }
}

/// `hummingbird-app serve|worker [--store URL] [--port N] [--no-worker]`: a Hummingbird web
/// application that hands reports to Steward.
///
/// - `serve`: the HTTP routes and a Steward worker in one process, both services of one
///   `ServiceGroup` (SIGTERM stops the server and drains the worker).
/// - `serve --no-worker` and `worker`: the same routes without a worker, and the worker in a
///   process of its own (scale them apart; they share the store).
///
/// Routes: `POST /reports {"customer": "acme", "months": 3}` → 202 `{"id": 1}`;
/// `GET /reports/{id}` → the job as `steward job status --json` shows it (state, progress, result).
@main
struct ReportsApp {
    static func main() async {
        do {
            try await run()
        } catch {
            fail("\(error)", code: 1)
        }
    }

    static func run() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let mode = arguments.first, ["serve", "worker"].contains(mode) else {
            fail("usage: hummingbird-app serve|worker [--store URL] [--port N] [--no-worker]")
        }
        arguments.removeFirst()
        var store = ProcessInfo.processInfo.environment["STEWARD_STORE"] ?? "sqlite:./reports.db"
        var port = 8080
        var withWorker = mode == "worker"
        if mode == "serve" { withWorker = true }
        while let flag = arguments.first {
            arguments.removeFirst()
            switch flag {
            case "--no-worker": withWorker = false
            case "--store", "--port":
                guard let value = arguments.first else { fail("\(flag) needs a value") }
                arguments.removeFirst()
                if flag == "--store" {
                    store = value
                } else {
                    guard let n = Int(value), (0...65535).contains(n) else { fail("--port: '\(value)' is not a port number") }
                    port = n
                }
            default: fail("unknown option '\(flag)' (expected --store, --port or --no-worker)")
            }
        }
        let logger = Logger(label: "reports")
        let jobStore = try StoreFactory.open(store)
        try await jobStore.migrate()
        let client = StewardClient(store: jobStore)

        var services: [any Service] = []
        if withWorker {
            let registry = JobRegistry()
            registry.register(GenerateReport.self)
            services.append(
                Worker(store: jobStore, registry: registry, queues: [QueueConfiguration(name: "reports", concurrency: 4)], logger: logger))
            services.append(Maintenance(store: jobStore))
        }
        if mode == "serve" {
            services.append(Application(router: router(client), configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger))
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    static func router(_ client: StewardClient) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("reports") { request, context -> Response in
            let report = try await request.decode(as: GenerateReport.self, context: context)
            guard report.months > 0, report.months <= 120 else { throw HTTPError(.badRequest, message: "months: 1 to 120") }
            let enqueued = try await client.enqueue(report, queue: "reports")
            return try jsonResponse(["id": enqueued.id.rawValue], status: .accepted)
        }
        router.get("reports/:id") { _, context -> Response in
            guard let raw = context.parameters.get("id"), let id = JobID(raw) else { throw HTTPError(.badRequest, message: "id: not a job id") }
            guard let job = try await client.store.job(id, now: Date()) else { throw HTTPError(.notFound, message: "no report \(raw)") }
            return try jsonResponse(JobView(job), status: .ok)
        }
        return router
    }

    /// The library's JSON (the CLI's and Steward's HTTP API's shapes) as the response body.
    static func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: try JSONCoding.encode(value))))
    }

    /// Prints `Error: message` and exits: 64 for a wrong command line, 1 for a failure.
    static func fail(_ message: String, code: Int32 = 64) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        exit(code)
    }
}
