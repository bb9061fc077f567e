import Foundation
import Hummingbird
import Steward
import StewardConfig
import StewardQuality

extension StewardAPI {
    /// Pipelines, executions, the checks, lineage and batch check reports (docs/pipelines.md):
    /// the operations and JSON shapes of `steward pipeline`, `lineage`, `dataset` and
    /// `quality report`.
    func addPipelineRoutes(_ api: RouterGroup<StewardRequestContext>) {
        let pipelines = PipelineAdmin(store: store)
        route(api, .post, "pipelines") { request, _ in
            // YAML (the file `pipeline apply` reads) or JSON of the same shape.
            let text = String(buffer: try await request.body.collect(upTo: configuration.maxBody))
            return JSONResponse.make(try await pipelines.apply(try PipelineFile.parse(text, file: "request body")))
        }
        route(api, .get, "pipelines") { _, _ in JSONResponse.make(try await pipelines.catalog()) }
        route(api, .post, "pipelines/:name/executions") { request, context in
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["parent", "at"])
            let execution = try await pipelines.start(
                context.parameters.get("name") ?? "", parent: try body.int("parent").map(Int64.init), at: try body.instant("at"))
            return JSONResponse.make(execution, status: .created)
        }
        route(api, .get, "pipeline-executions") { request, _ in
            let q = request.uri.queryParameters
            let state = try q.get("state").map { text -> PipelineExecution.State in
                guard let s = PipelineExecution.State(rawValue: text) else {
                    throw APIError.invalid("state", "'\(text)' is not running, succeeded or failed")
                }
                return s
            }
            let limit = try Self.queryInt(q.get("limit"), "limit", default: 50, range: 1...1000)
            return JSONResponse.make(
                try await pipelines.executions(PipelineExecutionFilter(pipeline: q.get("pipeline"), state: state, limit: limit)))
        }
        route(api, .get, "pipeline-executions/:id") { _, context in
            JSONResponse.make(try await pipelines.execution(try Self.executionID(context)))
        }
        route(api, .get, "pipeline-executions/:id/tree") { _, context in
            let rows = try await pipelines.tree(try Self.executionID(context))
            return JSONResponse.make(["executions": rows.map { PipelineTreeRow(depth: $0.depth, execution: $0.execution) }])
        }
        route(api, .post, "pipeline-executions/:id/finish") { request, context in
            let id = try Self.executionID(context)
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["status", "inserted", "updated", "deleted", "metrics", "at"])
            let status = try body.string("status").map { text -> PipelineExecution.State in
                guard let s = PipelineExecution.State(rawValue: text), s != .running else {
                    throw APIError.invalid("status", "'\(text)' is not succeeded or failed")
                }
                return s
            }
            var counts: [String: Int64] = [:]
            for key in ["inserted", "updated", "deleted"] { counts[key] = try body.int(key).map(Int64.init) }
            var metrics: [String: Double] = [:]
            switch body.fields["metrics"] {
            case nil, .null?: break
            case .object(let o)?:
                for (k, v) in o {
                    guard let n = v.numeric else { throw APIError.invalid("metrics", "'\(k)' is not a number") }
                    metrics[k] = n
                }
            case let v?: throw APIError.invalid("metrics", "expected an object of numbers, got \(v.jsonText)")
            }
            let finished = try await pipelines.finish(
                id,
                PipelineFinish(
                    state: status ?? .succeeded, at: try body.instant("at") ?? Date(), inserted: counts["inserted"], updated: counts["updated"],
                    deleted: counts["deleted"], metrics: metrics))
            // The anomaly check runs on this server's anomaly queue; the answer waits for it, as
            // `pipeline finish` does (within the request timeout).
            guard let check = finished.check else { return JSONResponse.make(AnomalyReport(execution: id, anomalies: [])) }
            let record = try await StewardClient(store: store).waitForResult(check, timeout: configuration.requestTimeout)
            return JSONResponse.make(try JSONCoding.decode(AnomalyReport.self, from: record.result ?? "{}"))
        }
        route(api, .get, "pipeline-anomalies") { request, _ in
            let q = request.uri.queryParameters
            let limit = try Self.queryInt(q.get("limit"), "limit", default: 100, range: 1...10_000)
            return JSONResponse.make(["anomalies": try await pipelines.anomalies(pipeline: q.get("pipeline"), limit: limit)])
        }
        route(api, .get, "checks/freshness") { request, _ in
            JSONResponse.make(try await pipelines.freshness(asOf: try Self.queryInstant(request.uri.queryParameters.get("as_of"), "as_of")))
        }
        route(api, .get, "checks/timeliness") { request, _ in
            let q = request.uri.queryParameters
            var lookback = 3600.0
            if let text = q.get("lookback") {
                do { lookback = try DurationParser.parse(text, field: "lookback").seconds } catch {
                    throw APIError.invalid("lookback", "'\(text)' is not a duration such as 60m")
                }
            }
            return JSONResponse.make(try await pipelines.timeliness(lookback: lookback, asOf: try Self.queryInstant(q.get("as_of"), "as_of")))
        }
        route(api, .post, "datasets/:name/touch") { request, context in
            let body = try await Body.read(request, limit: configuration.maxBody, allowed: ["at"])
            let name = context.parameters.get("name") ?? ""
            let at = try body.instant("at") ?? Date()
            return JSONResponse.make(try await pipelines.touch(name, at: at))
        }
        route(api, .get, "lineage/:dataset") { request, context in
            let dataset = context.parameters.get("dataset") ?? ""
            let direction = request.uri.queryParameters.get("direction") ?? "downstream"
            guard direction == "downstream" || direction == "upstream" else {
                throw APIError.invalid("direction", "'\(direction)' is not downstream or upstream")
            }
            return JSONResponse.make(try await pipelines.lineageView(of: dataset, downstream: direction == "downstream"))
        }
        route(api, .get, "quality/checks/:name/report") { request, context in
            let name = context.parameters.get("name") ?? ""
            let last = try request.uri.queryParameters.get("last").map { try Self.queryInt($0, "last", default: 1, range: 1...1_000_000) }
            guard let report = try await BatchCheckHistory.report(check: name, last: last, store: store) else {
                throw APIError(.notFound, "not_found", "check '\(name)' has no stored runs")
            }
            return JSONResponse.make(report)
        }
    }

    static func executionID(_ context: StewardRequestContext) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError.invalid("id", "'\(text)' is not an execution id") }
        return id
    }

    static func queryInstant(_ text: String?, _ field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Date(iso8601: text) else { throw APIError.invalid(field, "'\(text)' is not an ISO 8601 instant (e.g. 2026-12-01T09:00:00Z)") }
        return date
    }
}
