import Foundation
import Logging

/// The pipeline checks as jobs, each on its own queue with the limits operators expect.
public enum PipelineChecks {
    /// Job and queue names.
    public static let anomalies = "steward.pipeline.anomalies"
    /// Freshness check job and queue.
    public static let freshness = "steward.pipeline.freshness"
    /// Timeliness check job and queue.
    public static let timeliness = "steward.pipeline.timeliness"

    /// 3 attempts, exponential backoff from 60 s.
    public static let retryPolicy = RetryPolicy.exponential(maxAttempts: 3, initial: .seconds(60), max: .seconds(600))

    /// The three queues: anomalies 15 starts/s, freshness and timeliness 1/s, shared by every
    /// worker on the store.
    public static var queues: [QueueConfiguration] {
        [
            QueueConfiguration(name: anomalies, concurrency: 4, rateLimit: RateLimit(perSecond: 15, scope: .global), retryPolicy: retryPolicy),
            QueueConfiguration(name: freshness, concurrency: 1, rateLimit: RateLimit(perSecond: 1, scope: .global), retryPolicy: retryPolicy),
            QueueConfiguration(name: timeliness, concurrency: 1, rateLimit: RateLimit(perSecond: 1, scope: .global), retryPolicy: retryPolicy),
        ]
    }

    /// The anomaly check of one execution (unique per execution: a repeated finish report
    /// cannot queue it twice).
    public static func anomalyJob(execution: Int64) -> NewJob {
        NewJob(
            queue: anomalies, name: anomalies, payload: #"{"execution":\#(execution)}"#, retryPolicy: retryPolicy,
            uniqueKey: "\(anomalies):\(execution)")
    }

    /// Freshness and timeliness every 5 minutes (the timeliness check looks back one hour).
    public static func schedules() throws -> [Schedule] {
        [
            try Schedule.cron(
                freshness, "*/5 * * * *", job: ScheduledJob(name: freshness, queue: freshness, retryPolicy: retryPolicy), exclusive: true),
            try Schedule.cron(
                timeliness, "*/5 * * * *", job: ScheduledJob(name: timeliness, payload: #"{"lookback_seconds":3600}"#, queue: timeliness, retryPolicy: retryPolicy),
                exclusive: true),
        ]
    }

    struct AnomalyPayload: Decodable {
        var execution: Int64
    }

    struct TimelinessPayload: Decodable {
        var lookbackSeconds: Double?
        enum CodingKeys: String, CodingKey { case lookbackSeconds = "lookback_seconds" }
    }

    /// Registers the three check jobs. Each result is the check's JSON (kept with the job, so
    /// every run is recorded in the store).
    public static func register(in registry: JobRegistry) {
        registry.register(name: anomalies) { payload, context in
            let p: AnomalyPayload
            do { p = try JSONCoding.decode(AnomalyPayload.self, from: payload) } catch {
                throw PermanentJobError("\(anomalies): payload must be {\"execution\": ID}: \(error)")
            }
            let found = try await admin(context).checkAnomalies(execution: p.execution)
            return try JSONCoding.encode(AnomalyReport(execution: p.execution, anomalies: found))
        }
        registry.register(name: freshness) { _, context in
            let report = try await admin(context).freshness()
            if !report.stale.isEmpty {
                context.logger.warning("stale datasets", metadata: ["datasets": "\(report.stale.map(\.dataset).joined(separator: ","))"])
            }
            return try JSONCoding.encode(report)
        }
        registry.register(name: timeliness) { payload, context in
            let p = (try? JSONCoding.decode(TimelinessPayload.self, from: payload)) ?? TimelinessPayload()
            let report = try await admin(context).timeliness(lookback: p.lookbackSeconds ?? 3600)
            if !report.late.isEmpty {
                context.logger.warning("late pipeline executions", metadata: ["executions": "\(report.late.map { "\($0.execution)" }.joined(separator: ","))"])
            }
            return try JSONCoding.encode(report)
        }
    }

    static func admin(_ context: JobContext) throws -> PipelineAdmin {
        guard let client = context.client else { throw PermanentJobError("pipeline checks need a worker with a store client") }
        guard let store = client.store as? any PipelineStore else {
            throw PermanentJobError("pipeline checks need a store that keeps pipelines (SQLite or PostgreSQL)")
        }
        return PipelineAdmin(store: store, clock: client.clock)
    }
}
