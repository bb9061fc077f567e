import Foundation

/// A DAG workflow's execution is also a pipeline execution (docs/pipelines.md): the engine
/// reports a run's start and end here, and the pipeline rules decide what is recorded. Best
/// effort both ways: a workflow's outcome never depends on its pipeline record.
extension PipelineAdmin {
    /// Starts the pipeline execution of workflow run `runID`; a miss is made up when it finishes.
    func startWorkflowRun(_ runID: String, workflow: String, at: Date) async {
        _ = try? await store.startPipelineExecution(pipeline: workflow, parent: nil, at: at, workflowRun: runID)
    }

    /// Finishes the pipeline execution of workflow run `runID` (starting it first at `startedAt`
    /// if its start was missed; a retried run gets a new one) with the figures the run reported,
    /// leaving out what the rules would refuse (``PipelineRules/lenientFinish(succeeded:at:reported:)``).
    func finishWorkflowRun(
        _ runID: String, workflow: String, startedAt: Date, succeeded: Bool, metrics: [String: Double], at: Date
    ) async {
        do {
            let running = try await store.pipelineExecutions(PipelineExecutionFilter(state: .running, workflowRun: runID, limit: 1)).first
            let started =
                if let running { running } else {
                    try await store.startPipelineExecution(pipeline: workflow, parent: nil, at: startedAt, workflowRun: runID)
                }
            _ = try await finish(started.id, PipelineRules.lenientFinish(succeeded: succeeded, at: at, reported: metrics))
        } catch {}
    }
}
