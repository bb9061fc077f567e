import Foundation
import Logging

/// The pipeline operations every surface (CLI, library, jobs) shares: apply a catalog, report
/// executions, run the checks. Decisions come from ``PipelineRules``; the store keeps rows.
public struct PipelineAdmin: Sendable {
    /// The store.
    public let store: any PipelineStore
    /// The clock for "now".
    public let clock: any StewardClock

    /// Creates the admin on `store`.
    public init(store: any PipelineStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// What applying changed.
    public struct Applied: Codable, Sendable, Equatable {
        /// Pipelines in the catalog.
        public var pipelines: Int
        /// Datasets declared with a bound.
        public var datasets: Int
        /// Lineage closure rows written (new or with a new depth).
        public var lineageRowsWritten: Int
        /// Lineage closure rows removed.
        public var lineageRowsRemoved: Int

        enum CodingKeys: String, CodingKey {
            case pipelines, datasets
            case lineageRowsWritten = "lineage_rows_written"
            case lineageRowsRemoved = "lineage_rows_removed"
        }
    }

    /// Stores `catalog` as the whole set of pipelines and declared datasets; the lineage closure
    /// is updated by its changed rows. A cycle is refused ( ``PipelineError/lineageCycle(_:)``),
    /// writing nothing.
    @discardableResult
    public func apply(_ catalog: PipelineCatalog) async throws -> Applied {
        let change = try await store.applyPipelineCatalog { stored in try PipelineRules.apply(catalog, over: stored) }
        return Applied(
            pipelines: change.pipelines.count, datasets: change.datasets.count, lineageRowsWritten: change.upsertPaths.count,
            lineageRowsRemoved: change.deletePaths.count)
    }

    /// Starts an execution of a defined pipeline (`at` defaults to now).
    public func start(_ pipeline: String, parent: Int64? = nil, at: Date? = nil) async throws -> PipelineExecution {
        guard try await store.pipeline(named: pipeline) != nil else { throw PipelineError.unknownPipeline(pipeline) }
        return try await store.startPipelineExecution(pipeline: pipeline, parent: parent, at: at ?? clock.now(), workflowRun: nil)
    }

    /// Finishes an execution; when it succeeded and its pipeline checks anomalies, its anomaly
    /// check is enqueued in the same transaction, and its job returned.
    public func finish(_ id: Int64, _ finish: PipelineFinish) async throws -> (execution: PipelineExecution, check: JobID?) {
        let done = try await store.finishPipelineExecution(id) { e, d in try PipelineRules.finish(e, with: finish, definition: d) }
        // Counted like any enqueue (steward_jobs_enqueued_total).
        if !done.jobs.isEmpty { EnqueueMetrics.record([PipelineChecks.anomalyJob(execution: id)]) }
        return (done.execution, done.jobs.first?.id)
    }

    /// The anomaly check of one execution (the body of the `steward.pipeline.anomalies` job):
    /// computes and records its anomalies (replacing any earlier ones) and returns them.
    public func checkAnomalies(execution id: Int64) async throws -> [PipelineAnomaly] {
        guard let execution = try await store.pipelineExecution(id) else { throw PipelineError.executionNotFound(id) }
        guard execution.state == .succeeded, let finishedAt = execution.finishedAt,
            let settings = try await store.pipeline(named: execution.pipeline)?.anomaly
        else { return [] }
        let history = try await store.pipelineExecutions(
            PipelineExecutionFilter(
                pipeline: execution.pipeline, state: .succeeded, finishedBefore: (finishedAt, execution.id), limit: settings.lookback))
        let found = PipelineRules.anomalies(of: execution, history: history, settings: settings, at: clock.now())
        try await store.recordPipelineAnomalies(execution: id, found)
        return found
    }

    /// Freshness of every dataset with a bound, as of `asOf` (default now).
    public func freshness(asOf: Date? = nil) async throws -> FreshnessReport {
        PipelineRules.freshness(try await store.datasets(), asOf: asOf ?? clock.now())
    }

    /// Late executions started within `lookback` seconds before `asOf` (default now); `catalog`
    /// saves reading it again when the caller has it.
    public func timeliness(lookback: Double = 3600, asOf: Date? = nil, catalog: PipelineCatalog? = nil) async throws -> TimelinessReport {
        let asOf = asOf ?? clock.now()
        let catalog = if let catalog { catalog } else { try await store.pipelineCatalog() }
        var executions: [PipelineExecution] = []
        var seen = Set<Int64>()
        // Paged by start time, newest first; the page's last instant is read again (its other
        // executions may be on the next page) and what was seen is skipped.
        // Those started within the lookback, and every one still running (a stuck run is late
        // whenever it started).
        for base in [
            PipelineExecutionFilter(startedFrom: asOf.addingTimeInterval(-lookback), startedTo: asOf, limit: 1_000),
            PipelineExecutionFilter(state: .running, startedTo: asOf, limit: 1_000),
        ] {
            var filter = base
            while true {
                let page = try await store.pipelineExecutions(filter)
                let fresh = page.filter { seen.insert($0.id).inserted }
                executions += fresh
                guard page.count == 1_000, let last = page.last, !fresh.isEmpty else { break }
                filter.startedTo = last.startedAt
            }
        }
        return PipelineRules.timeliness(executions, catalog: catalog, lookback: lookback, asOf: asOf)
    }

    /// The datasets downstream (or upstream) of `dataset` with their shortest distance.
    public func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath] {
        let paths = try await store.lineage(of: dataset, downstream: downstream)
        // Only an empty answer needs telling a dataset without neighbours from an unknown one.
        if paths.isEmpty, try await !store.datasets().contains(where: { $0.name == dataset }) { throw PipelineError.unknownDataset(dataset) }
        return paths
    }

    /// `steward lineage … --json`: the dataset and those downstream (or upstream) of it.
    public func lineageView(of dataset: String, downstream: Bool) async throws -> LineageView {
        let paths = try await lineage(of: dataset, downstream: downstream)
        return LineageView(dataset: dataset, datasets: paths.map { .init(name: downstream ? $0.descendant : $0.ancestor, depth: $0.depth) })
    }

    /// Marks a dataset modified (for data changed outside reported executions).
    @discardableResult
    public func touch(_ dataset: String, at: Date? = nil) async throws -> DatasetTouch {
        let at = at ?? clock.now()
        guard try await store.touchDataset(dataset, at: at) else { throw PipelineError.unknownDataset(dataset) }
        return DatasetTouch(dataset: dataset, touchedAt: at.iso8601UTC)
    }

    /// The stored pipelines and declared datasets.
    public func catalog() async throws -> PipelineCatalog {
        try await store.pipelineCatalog()
    }

    /// Executions matching `filter`.
    public func executions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution] {
        try await store.pipelineExecutions(filter)
    }

    /// One execution; throws ``PipelineError/executionNotFound(_:)`` for an unknown id.
    public func execution(_ id: Int64) async throws -> PipelineExecution {
        guard let execution = try await store.pipelineExecution(id) else { throw PipelineError.executionNotFound(id) }
        return execution
    }

    /// Recorded anomalies, newest first (of one pipeline, or of all).
    public func anomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly] {
        try await store.pipelineAnomalies(pipeline: pipeline, limit: limit)
    }

    /// An execution and everything under it.
    public func tree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)] {
        let rows = try await store.pipelineExecutionTree(id)
        guard !rows.isEmpty else { throw PipelineError.executionNotFound(id) }
        return rows
    }
}

/// `steward dataset touch --json` and `POST /api/v1/datasets/{name}/touch`: what was recorded.
public struct DatasetTouch: Codable, Sendable, Equatable {
    /// The dataset.
    public var dataset: String
    /// The modification time now recorded for it (ISO 8601, UTC).
    public var touchedAt: String

    enum CodingKeys: String, CodingKey { case dataset, touchedAt = "touched_at" }
}

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

/// `steward pipeline finish --json` and the anomaly check's result.
public struct AnomalyReport: Codable, Sendable, Equatable {
    /// The execution.
    public var execution: Int64
    /// Its anomalies (empty: none).
    public var anomalies: [PipelineAnomaly]

    /// Creates a report.
    public init(execution: Int64, anomalies: [PipelineAnomaly]) {
        self.execution = execution
        self.anomalies = anomalies
    }
}

/// One row of an execution tree.
public struct PipelineTreeRow: Encodable, Sendable {
    /// Depth below the asked execution.
    public var depth: Int
    /// The execution.
    public var execution: PipelineExecution
    /// Creates a row.
    public init(depth: Int, execution: PipelineExecution) {
        self.depth = depth
        self.execution = execution
    }
}

/// `steward lineage … --json`: a dataset and those downstream or upstream with their distance.
public struct LineageView: Encodable, Sendable {
    /// One dataset.
    public struct Entry: Encodable, Sendable {
        /// Its name.
        public var name: String
        /// The shortest distance.
        public var depth: Int
        /// Creates an entry.
        public init(name: String, depth: Int) {
            self.name = name
            self.depth = depth
        }
    }
    /// The asked dataset.
    public var dataset: String
    /// The others, nearest first.
    public var datasets: [Entry]
}
