import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardStores
import StewardVapor
import Vapor

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

/// `vapor-app serve|worker [--store URL] [--port N] [--no-worker]`: a Vapor web application that
/// hands reports to Steward.
///
/// - `serve`: the HTTP routes and a Steward worker in one process; the worker runs as a lifecycle
///   handler of the Vapor application (`app.steward.run`, StewardVapor), so SIGTERM stops the
///   server and then drains the worker.
/// - `serve --no-worker` and `worker`: the same routes without a worker, and the worker in a
///   process of its own, which needs no web framework (scale them apart; they share the store).
///
/// Routes: `POST /reports {"customer": "acme", "months": 3}` → 202 `{"id": 1}`;
/// `GET /reports/{id}` → the job as `steward job status --json` shows it (state, progress, result).
@main
enum ReportsApp {
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
            fail("usage: vapor-app serve|worker [--store URL] [--port N] [--no-worker]")
        }
        arguments.removeFirst()
        var store = ProcessInfo.processInfo.environment["STEWARD_STORE"] ?? "sqlite:./reports.db"
        var port = 8080
        var withWorker = true
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
        let jobStore = try StoreFactory.open(store)
        try await jobStore.migrate()
        let logger = Logger(label: "reports")

        if mode == "worker" {
            let group = ServiceGroup(services: services(jobStore, logger: logger), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
            return
        }
        // Vapor reads its command line from the environment: serve on the chosen port.
        let env = Environment(name: "production", arguments: ["vapor-app", "serve", "--hostname", "127.0.0.1", "--port", "\(port)"])
        let app = try await Application.make(env)
        do {
            app.steward.client = StewardClient(store: jobStore)
            if withWorker { app.steward.run(services(jobStore, logger: logger)) }
            routes(app)
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// The worker for the `reports` queue and the store's upkeep (expired leases, retention).
    static func services(_ store: any JobStore, logger: Logger) -> [any Service] {
        let registry = JobRegistry()
        registry.register(GenerateReport.self)
        return [
            Worker(store: store, registry: registry, queues: [QueueConfiguration(name: "reports", concurrency: 4)], logger: logger),
            Maintenance(store: store),
        ]
    }

    static func routes(_ app: Application) {
        app.post("reports") { req async throws -> Response in
            let report = try req.content.decode(GenerateReport.self)
            guard report.months > 0, report.months <= 120 else { throw Abort(.badRequest, reason: "months: 1 to 120") }
            let enqueued = try await req.steward.enqueue(report, queue: "reports")
            return try jsonResponse(["id": enqueued.id.rawValue], status: .accepted)
        }
        app.get("reports", ":id") { req async throws -> Response in
            guard let raw = req.parameters.get("id"), let id = JobID(raw) else { throw Abort(.badRequest, reason: "id: not a job id") }
            guard let job = try await req.steward.store.job(id, now: Date()) else { throw Abort(.notFound, reason: "no report \(raw)") }
            return try jsonResponse(JobView(job), status: .ok)
        }
    }

    /// The library's JSON (the CLI's and Steward's HTTP API's shapes) as the response body.
    static func jsonResponse(_ value: some Encodable, status: HTTPResponseStatus) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: .init(string: try JSONCoding.encode(value)))
    }

    /// Prints `Error: message` and exits: 64 for a wrong command line, 1 for a failure.
    static func fail(_ message: String, code: Int32 = 64) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        exit(code)
    }
}
