/// The last error a job raised: its type name, message and the attempt that raised it.
public struct JobErrorInfo: Codable, Sendable, Equatable {
    /// The error's type name (what `retryOn` matches), e.g. `URLError` or `JobTimeout`.
    public var type: String
    /// The error's description.
    public var message: String
    /// The attempt (1-based) that raised it.
    public var attempt: Int

    /// Creates an error record.
    public init(type: String, message: String, attempt: Int) {
        self.type = type
        self.message = message
        self.attempt = attempt
    }
}
