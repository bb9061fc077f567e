import Foundation
import HTTPTypes
import Instrumentation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Steward
import Tracing

/// `/api/v1/queues`: list, statistics, pause and resume.
extension StewardAPI {
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
}
