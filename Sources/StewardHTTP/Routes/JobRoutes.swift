import Foundation
import HTTPTypes
import Instrumentation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Steward
import StewardConfig
import Synchronization
import Tracing

/// `/api/v1/jobs`: enqueue (with Idempotency-Key), list, get, history, dependents, cancel and retry, one or in bulk;
/// `/api/v1/activity`: counts over every queue and attempts per minute (the dashboard's header and chart).
extension StewardAPI {
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
            let retrying = try q.get("retrying").map { text -> Bool in
                guard let flag = Bool(text) else { throw APIError.invalid("retrying", "'\(text)' is not true or false") }
                return flag
            } ?? false
            let records = try await jobs.list(
                JobFilter(queue: q.get("queue"), state: state, name: q.get("name"), limit: limit, beforeID: before, retrying: retrying))
            // The next page starts below the last id; the header is absent on the last page.
            let next: HTTPFields = records.count == limit ? [HTTPField.Name("X-Next-Before")!: "\(records.last!.id)"] : [:]
            return JSONResponse.make(records.map(JobView.init), headers: next)
        }
        route(api, .get, "jobs/:id") { _, context in
            JSONResponse.make(JobView(try await jobs.get(try Self.jobID(context, "id"))))
        }
        route(api, .get, "jobs/:id/dependents") { _, context in
            JSONResponse.make(try await jobs.dependents(try Self.jobID(context, "id")).map(\.rawValue))
        }
        let activity = ActivityCache()
        route(api, .get, "activity") { request, _ in
            let minutes = try Self.queryInt(
                request.uri.queryParameters.get("minutes"), "minutes", default: 60, range: 1...JobAdmin.activityWindowLimit)
            return JSONResponse.make(try await activity.read(minutes: minutes) { try await jobs.activity(minutes: minutes) })
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

    /// The request's fields as the admin layer's ``EnqueueRequest`` (which holds the rules).
    static func newJob(_ body: Body) throws -> NewJob {
        guard let name = try body.string("name") else { throw APIError.invalid("name", "required") }
        return try EnqueueRequest(
            name: name, queue: try body.string("queue") ?? "default", payload: body.fields["payload"].map(\.jsonText) ?? "{}",
            priority: try body.int("priority") ?? 0, runAt: try body.instant("run_at"), delay: try body.duration("delay"),
            timeout: try body.duration("timeout"), maxAttempts: try body.int("max_attempts"), uniqueKey: try body.string("unique_key"),
            metadata: try body.stringMap("metadata"), after: try body.ids("after")
        ).newJob(now: Date())
    }

    static func filter(_ request: Request, limit: Int) async throws -> JobFilter {
        let body = try await Body.read(request, limit: limit, allowed: ["queue", "state", "name"])
        let state = try body.string("state").map { text -> JobState in
            do { return try JobState.parse(text) } catch { throw APIError.invalid("state", "'\(text)' is not a job state") }
        }
        // JobAdmin refuses a filter that names nothing (field `filter`), for the CLI too.
        return JobFilter(queue: try body.string("queue"), state: state, name: try body.string("name"), limit: 500)
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
}

/// `/api/v1/activity` answers from a copy at most as old as ten times the read took (at least a
/// second): the read walks today's finished jobs (about 0.1 s for 200,000 on SQLite), and every
/// open dashboard asks for it on each change; so however many look, the counts cost the store at
/// most a tenth of its time.
final class ActivityCache: Sendable {
    private let kept = Mutex<[Int: (view: ActivityView, until: ContinuousClock.Instant)]>([:])

    func read(minutes: Int, _ load: () async throws -> ActivityView) async throws -> ActivityView {
        let now = ContinuousClock.now
        if let hit = kept.withLock({ $0[minutes] }), now < hit.until { return hit.view }
        let view = try await load()
        let took = ContinuousClock.now - now
        kept.withLock { $0[minutes] = (view, ContinuousClock.now + max(.seconds(1), took * 10)) }
        return view
    }
}
