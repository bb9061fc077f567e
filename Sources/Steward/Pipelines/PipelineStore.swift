import Foundation

/// Where pipelines persist (docs/pipelines.md): the catalog, lineage, datasets, executions,
/// anomalies and batch-check runs. The rules are in ``PipelineRules``; the store keeps rows.
public protocol PipelineStore: JobStore {
    /// The stored pipelines and declared datasets.
    func pipelineCatalog() async throws -> PipelineCatalog

    /// One stored pipeline, or `nil`.
    func pipeline(named name: String) async throws -> PipelineDefinition?

    /// In one transaction: reads the stored lineage closure, asks `decide` for the change (which
    /// may throw, writing nothing), and writes it: exactly the change's pipelines, datasets
    /// (keeping each dataset's last modification) and closure rows.
    func applyPipelineCatalog(_ decide: @escaping @Sendable ([LineagePath]) throws -> PipelineCatalogChange) async throws
        -> PipelineCatalogChange

    /// Closure rows from `dataset` downstream (it is the ancestor) or upstream (it is the
    /// descendant), itself excluded, by depth then name.
    func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath]

    /// Every known dataset (declared, or read or written by a pipeline), by name.
    func datasets() async throws -> [DatasetState]

    /// Marks a dataset modified at `at` (kept when a later modification is stored); `false`
    /// when the dataset is not known.
    func touchDataset(_ name: String, at: Date) async throws -> Bool

    /// Inserts a running execution (and its rows in the execution hierarchy's closure table).
    /// Throws ``PipelineError/executionNotFound(_:)`` for an unknown parent, writing nothing.
    func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) async throws -> PipelineExecution

    /// Reads the execution and its pipeline's definition under a write lock, asks `decide`, and
    /// writes the finished record, the touched datasets' last modification and the change's jobs
    /// in one transaction. Returns the record and the jobs' enqueue results.
    func finishPipelineExecution(
        _ id: Int64, _ decide: @escaping @Sendable (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (execution: PipelineExecution, jobs: [EnqueueResult])

    /// One execution, or `nil`.
    func pipelineExecution(_ id: Int64) async throws -> PipelineExecution?

    /// Executions matching `filter`.
    func pipelineExecutions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution]

    /// The execution and everything under it, with the depth below it, by depth then id.
    func pipelineExecutionTree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)]

    /// Replaces the anomalies recorded for `execution` (a retried check writes once).
    func recordPipelineAnomalies(execution: Int64, _ anomalies: [PipelineAnomaly]) async throws

    /// Recorded anomalies, newest first.
    func pipelineAnomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly]

    /// Stores a batch check's run; returns its id.
    func recordQualityRun(_ run: QualityRunRecord) async throws -> Int64

    /// A check's newest runs, newest first.
    func qualityRuns(check: String, limit: Int) async throws -> [QualityRunRecord]

    /// How many runs a check has, and their average score (`nil` with none).
    func qualityRunStats(check: String) async throws -> (count: Int, averageScore: Double?)
}
