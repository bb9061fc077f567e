import Foundation

/// The pipelines and datasets of a configuration file, checked together (lineage cycles are
/// refused before anything is stored).
public struct PipelineCatalog: Codable, Sendable, Equatable {
    /// Pipelines by name order.
    public var pipelines: [PipelineDefinition]
    /// Declared datasets by name order.
    public var datasets: [DatasetDefinition]

    /// Creates a catalog.
    public init(pipelines: [PipelineDefinition] = [], datasets: [DatasetDefinition] = []) {
        self.pipelines = pipelines.sorted { $0.name < $1.name }
        self.datasets = datasets.sorted { $0.name < $1.name }
    }
}

/// A dataset with a freshness bound.
public struct DatasetDefinition: Codable, Sendable, Equatable {
    /// The dataset's name.
    public var name: String
    /// Seconds since its last modification after which it is stale; `nil`: not checked.
    public var maxAge: Double?

    /// Creates a definition.
    public init(name: String, maxAge: Double?) {
        self.name = name
        self.maxAge = maxAge
    }

    enum CodingKeys: String, CodingKey {
        case name
        case maxAge = "max_age_seconds"
    }

    /// Every key on every row (`null` when unset).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(maxAge, forKey: .maxAge)
    }
}
