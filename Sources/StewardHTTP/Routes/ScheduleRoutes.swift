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

/// `/api/v1/schedules`: list, get, pause, resume, trigger.
extension StewardAPI {
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
            try await schedules.update(
                name, cron: try body.string("cron"), timeZone: try body.string("timezone"), every: try body.duration("every"),
                jitter: try body.duration("jitter"))
            return JSONResponse.make(ScheduleView(try await schedules.get(name)))
        }
    }
}
