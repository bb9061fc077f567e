

/// Errors of the quality module; each names what is wrong and where.
public enum QualityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration mistake (unknown measure, column, bad window…), found before data is read.
    case config(String)
    /// A source could not be read.
    case source(String)
    /// A row broke the schema under the `raise` policy.
    case schema(String)

    public var description: String {
        switch self {
        case .config(let m): m
        case .source(let m): "source: \(m)"
        case .schema(let m): "schema: \(m)"
        }
    }
}

/// A critical task failed and stopped the monitor.
public struct CriticalTaskFailure: Error, Sendable, CustomStringConvertible {
    /// The task.
    public var task: String
    /// What made it fail.
    public var underlying: any Error
    public var description: String { "critical task '\(task)' failed: \(underlying)" }
}
