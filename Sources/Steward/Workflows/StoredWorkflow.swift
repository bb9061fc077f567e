import Foundation

/// A workflow definition as stored: one row per name and version.
public struct StoredWorkflow: Sendable, Equatable {
    /// The definition.
    public var definition: WorkflowDefinition
    /// The definition as the JSON the store keeps (compared to refuse a changed body under a
    /// version already stored).
    public var body: String
    /// When it was first applied.
    public var createdAt: Date

    /// Wraps a definition.
    public init(_ definition: WorkflowDefinition, createdAt: Date) throws {
        self.definition = definition
        self.body = try JSONCoding.encode(definition)
        self.createdAt = createdAt
    }

    /// Decodes a stored row.
    package init(body: String, createdAt: Date) throws {
        self.definition = try JSONCoding.decode(WorkflowDefinition.self, from: body)
        self.body = body
        self.createdAt = createdAt
    }
}
