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
