import Foundation

/// A pipeline request that cannot be done; the message names what is wrong.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The lineage graph would have a cycle.
    case lineageCycle(String)
    /// No such execution.
    case executionNotFound(Int64)
    /// Finishing a finished execution.
    case alreadyFinished(Int64, PipelineExecution.State)
    /// No such pipeline.
    case unknownPipeline(String)
    /// No such dataset.
    case unknownDataset(String)
    /// A bad value: `field` names it (the HTTP API's `field`, the CLI's flag), `reason` says what
    /// is wrong with it.
    case invalid(field: String?, reason: String)

    public var description: String {
        switch self {
        case .lineageCycle(let path): "lineage: the datasets form a cycle: \(path)"
        case .executionNotFound(let id): "pipeline execution \(id) not found"
        case .alreadyFinished(let id, let state): "pipeline execution \(id) already finished (\(state.rawValue))"
        case .unknownPipeline(let name): "pipeline '\(name)' is not defined (steward pipeline apply FILE first)"
        case .unknownDataset(let name): "dataset '\(name)' is not known (neither declared nor read or written by a pipeline)"
        case .invalid(let field?, let reason): "\(field): \(reason)"
        case .invalid(nil, let reason): reason
        }
    }
}
