import Foundation
import HTTPTypes
import Instrumentation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Steward
import Tracing

/// `/api/v1/monitors`: the recent windows of the monitors `serve` runs.
extension StewardAPI {
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
}
