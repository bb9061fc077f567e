

/// A queue's statistics, as `steward queue stats` reports them.
/// Encoded as every surface shows it (`queue stats --json`, `GET /api/v1/queues/NAME`): snake-case
/// keys, the error rate to 4 decimals, the oldest wait to the millisecond and `null` when nothing
/// waits.
public struct QueueStats: Sendable, Equatable, Encodable {
    /// The queue's name.
    public var queue: String
    /// Whether workers skip it.
    public var paused: Bool
    /// Job counts by state (every state present, zero when none).
    public var counts: [String: Int]
    /// Jobs running now.
    public var running: Int
    /// Attempts that succeeded in the last minute.
    public var succeededLastMinute: Int
    /// Attempts that failed (retry or dead) in the last minute.
    public var failedLastMinute: Int
    /// failed / (succeeded + failed) over the last minute; 0 when nothing ran.
    public var errorRate: Double
    /// Seconds the oldest due job has waited to start; `nil` when none waits.
    public var oldestWaitingAgeSeconds: Double?

    /// Creates queue statistics.
    public init(
        queue: String, paused: Bool, counts: [String: Int], running: Int, succeededLastMinute: Int,
        failedLastMinute: Int, oldestWaitingAgeSeconds: Double?
    ) {
        self.queue = queue
        self.paused = paused
        self.counts = counts
        self.running = running
        self.succeededLastMinute = succeededLastMinute
        self.failedLastMinute = failedLastMinute
        let total = succeededLastMinute + failedLastMinute
        self.errorRate = total == 0 ? 0 : Double(failedLastMinute) / Double(total)
        self.oldestWaitingAgeSeconds = oldestWaitingAgeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case queue, paused, counts, running, succeededLastMinute = "succeeded_last_minute",
            failedLastMinute = "failed_last_minute", errorRate = "error_rate", oldestWaitingAgeSeconds = "oldest_waiting_age_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(queue, forKey: .queue)
        try c.encode(paused, forKey: .paused)
        try c.encode(counts, forKey: .counts)
        try c.encode(running, forKey: .running)
        try c.encode(succeededLastMinute, forKey: .succeededLastMinute)
        try c.encode(failedLastMinute, forKey: .failedLastMinute)
        try c.encode((errorRate * 10_000).rounded() / 10_000, forKey: .errorRate)
        if let age = oldestWaitingAgeSeconds {
            try c.encode((age * 1000).rounded() / 1000, forKey: .oldestWaitingAgeSeconds)
        } else {
            try c.encodeNil(forKey: .oldestWaitingAgeSeconds)
        }
    }
}
