import Foundation

/// A row as tasks see it: values in the source's column order, plus its event time.
public struct QualityRow: Sendable {
    /// Values by column position.
    public var values: [QualityValue]
    /// Event time in seconds since the epoch.
    public var time: Double
    /// Why the row breaks the source's schema, if it does (bad cells hold their raw text).
    public var schemaError: String?

    /// Creates a row.
    public init(values: [QualityValue], time: Double, schemaError: String? = nil) {
        self.values = values
        self.time = time
        self.schemaError = schemaError
    }
}
