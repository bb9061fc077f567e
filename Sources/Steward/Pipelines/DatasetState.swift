import Foundation

/// A dataset as the store knows it.
public struct DatasetState: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Its freshness bound in seconds (`nil`: declared without one, or only named by a pipeline).
    public var maxAge: Double?
    /// Its last modification (`nil`: never modified).
    public var lastModified: Date?

    /// Creates a state.
    public init(name: String, maxAge: Double?, lastModified: Date?) {
        self.name = name
        self.maxAge = maxAge
        self.lastModified = lastModified
    }
}
