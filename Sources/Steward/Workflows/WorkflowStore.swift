import Foundation

/// Where DAG workflows persist: definitions, executions and their logs. The workflow engine
/// decides every change; the store keeps rows and writes a change with its jobs in one transaction.
public protocol WorkflowStore: JobStore {
    /// Stores a definition under its name and version; `false` (and nothing written) when that
    /// name and version are stored already.
    func insertWorkflow(_ workflow: StoredWorkflow) async throws -> Bool

    /// Every stored definition, every version, by name then age.
    func workflows() async throws -> [StoredWorkflow]

    /// One version of a definition; the latest applied when `version` is `nil`.
    func workflow(name: String, version: String?) async throws -> StoredWorkflow?

    /// Reads execution `id` (or `nil`, for a new one) under a write lock and asks `decide` for a
    /// change; enqueues the change's jobs, writes the record it builds from their ids and appends
    /// its events, all in one transaction. Returns the record as written (the current one when
    /// `decide` returns `nil`).
    func changeWorkflowRun(_ id: String, now: Date, _ decide: @escaping @Sendable (WorkflowRunRecord?) throws -> WorkflowRunChange?)
        async throws -> WorkflowRunRecord?

    /// One execution, or `nil`.
    func workflowRun(_ id: String) async throws -> WorkflowRunRecord?

    /// An execution's state alone (its record not read), or `nil`: what a waiter asks after
    /// every finished job.
    func workflowRunState(_ id: String) async throws -> WorkflowRunState?

    /// Executions matching `filter`, newest first.
    func workflowRuns(_ filter: WorkflowRunFilter) async throws -> [WorkflowRunRecord]

    /// An execution's log as the engine wrote it, oldest first.
    func workflowEvents(_ id: String) async throws -> [WorkflowEvent]
}
