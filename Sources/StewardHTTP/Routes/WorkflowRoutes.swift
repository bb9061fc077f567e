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

/// `/api/v1/workflows`: apply, list, run, status, logs, cancel and retry executions.
extension StewardAPI {
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
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["input", "version", "id", "queue", "timeout"])
            let run = try await workflows.start(
                context.parameters.get("name") ?? "", version: try body.string("version"), input: body.fields["input"] ?? .object([:]),
                id: try body.string("id"), queue: try body.string("queue"), timeout: try body.duration("timeout"))
            return JSONResponse.make(run, status: .created)
        }
        route(api, .get, "workflow-runs") { request, _ in
            let q = request.uri.queryParameters
            let state = try q.get("state").map { text -> WorkflowRunState in
                guard let s = WorkflowRunState(rawValue: text) else { throw APIError.invalid("state", "'\(text)' is not a workflow run state") }
                return s
            }
            let limit = try Self.queryInt(q.get("limit"), "limit", default: 50, range: 1...1000)
            return JSONResponse.make(try await workflows.runs(WorkflowRunFilter(workflow: q.get("workflow"), state: state, limit: limit)))
        }
        route(api, .get, "workflow-runs/:id") { _, context in JSONResponse.make(try await workflows.status(context.parameters.get("id") ?? "")) }
        route(api, .get, "workflow-runs/:id/logs") { _, context in JSONResponse.make(try await workflows.logs(context.parameters.get("id") ?? "")) }
        route(api, .post, "workflow-runs/:id/cancel") { _, context in
            JSONResponse.make(try await workflows.cancel(context.parameters.get("id") ?? ""))
        }
        route(api, .post, "workflow-runs/:id/retry") { _, context in
            JSONResponse.make(try await workflows.retry(context.parameters.get("id") ?? ""))
        }
        route(api, .post, "workflow-runs/:id/signal") { request, context in
            let id = context.parameters.get("id") ?? ""
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["topic", "payload"])
            guard let topic = try body.string("topic"), !topic.isEmpty else { throw APIError.invalid("topic", "a topic is required") }
            try await workflows.signal(id, topic: topic, payload: body.fields["payload"] ?? .object([:]))
            return JSONResponse.make(try await workflows.status(id))
        }
    }
}
