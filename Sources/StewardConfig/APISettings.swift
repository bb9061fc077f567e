/// How the HTTP API behaves: the `http` and `auth` sections of `steward serve`'s file.
public struct APISettings: Sendable {
    /// Largest request body, bytes.
    public var maxBody: Int
    /// Longest a request may take.
    public var requestTimeout: Duration
    /// Accepted bearer tokens; none means every request is admin (loopback only).
    public var tokens: [AccessToken]
    /// How long an `Idempotency-Key` answers with its job (and refuses a different request).
    public var idempotencyRetention: Duration

    /// Creates a configuration.
    public init(
        maxBody: Int = 1 << 20, requestTimeout: Duration = .seconds(30), tokens: [AccessToken] = [],
        idempotencyRetention: Duration = .seconds(24 * 3600)
    ) {
        self.maxBody = maxBody
        self.requestTimeout = requestTimeout
        self.tokens = tokens
        self.idempotencyRetention = idempotencyRetention
    }
}
