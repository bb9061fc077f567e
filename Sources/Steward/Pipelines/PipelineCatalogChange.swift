import Foundation

/// What applying a catalog writes, in one transaction: the definitions, and the lineage closure's
/// changed rows only (the closure is computed in Swift, ``PipelineRules/lineageClosure(_:limit:)``).
public struct PipelineCatalogChange: Sendable, Equatable {
    /// The whole catalog's pipelines: the store keeps exactly these (executions of a removed
    /// pipeline stay).
    public var pipelines: [PipelineDefinition]
    /// The whole catalog's declared datasets (a dataset's last modification survives re-applies).
    public var datasets: [DatasetDefinition]
    /// Closure rows to insert or whose depth changed.
    public var upsertPaths: [LineagePath]
    /// Closure rows that no longer hold.
    public var deletePaths: [LineagePath]

    /// Creates a change.
    public init(pipelines: [PipelineDefinition], datasets: [DatasetDefinition], upsertPaths: [LineagePath], deletePaths: [LineagePath]) {
        self.pipelines = pipelines
        self.datasets = datasets
        self.upsertPaths = upsertPaths
        self.deletePaths = deletePaths
    }
}

/// A row of the lineage closure: `descendant` is reachable from `ancestor` in `depth` steps at
/// the fewest (0 for a dataset and itself).
public struct LineagePath: Sendable, Hashable, Codable {
    /// Upstream end.
    public var ancestor: String
    /// Downstream end.
    public var descendant: String
    /// Shortest path length.
    public var depth: Int

    /// Creates a row.
    public init(ancestor: String, descendant: String, depth: Int) {
        self.ancestor = ancestor
        self.descendant = descendant
        self.depth = depth
    }
}
