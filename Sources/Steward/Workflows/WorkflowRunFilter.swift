import Foundation

/// Which executions ``WorkflowStore/workflowRuns(_:)`` lists.
public struct WorkflowRunFilter: Sendable, Equatable {
    /// Only executions of this workflow.
    public var workflow: String?
    /// Only executions in this state.
    public var state: WorkflowRunState?
    /// At most this many, newest first.
    public var limit: Int

    /// Creates a filter.
    public init(workflow: String? = nil, state: WorkflowRunState? = nil, limit: Int = 50) {
        self.workflow = workflow
        self.state = state
        self.limit = limit
    }
}
