

/// A queue as listed by the store.
public struct QueueInfo: Sendable, Equatable, Codable {
    /// The queue's name.
    public var name: String
    /// Whether workers skip it.
    public var paused: Bool
    /// Its stored settings, if a worker or the CLI configured it.
    public var settings: QueueSettings?
    /// Jobs waiting (scheduled or available).
    public var waiting: Int
    /// Jobs running.
    public var running: Int

    /// Creates a queue listing.
    public init(name: String, paused: Bool, settings: QueueSettings?, waiting: Int, running: Int) {
        self.name = name
        self.paused = paused
        self.settings = settings
        self.waiting = waiting
        self.running = running
    }
}
