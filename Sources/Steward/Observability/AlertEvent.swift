import Foundation

/// How serious an alert is.
public enum AlertLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, critical

    public static func < (a: AlertLevel, b: AlertLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One notification: a level crossed upward, or a measure back below every threshold.
public struct AlertEvent: Sendable, Equatable, Codable {
    /// The level reached; `nil` when the measure recovered.
    public var level: AlertLevel?
    /// The queue (for a pipeline alert: the queue of the check that watches it).
    public var queue: String
    /// What the alert is about: the queue, or the dataset or pipeline of a pipeline alert.
    public var subject: String
    /// The measure (`queue_depth`, `oldest_age`, `failure_rate`; `freshness`, `timeliness`,
    /// `anomaly` for pipelines).
    public var measure: String
    /// Its value now (`nil` when there is none: a dataset never modified).
    public var value: Double?
    /// The threshold crossed (for a recovery: the lowest threshold, now undercut).
    public var threshold: Double
    /// A sentence for people.
    public var message: String
    /// Jobs waiting to run now (`nil` for pipeline alerts).
    public var depth: Int?
    /// Of those, jobs scheduled for later.
    public var scheduled: Int?
    /// Jobs running now.
    public var running: Int?
    /// When it was observed.
    public var time: Date

    /// Creates an event.
    public init(
        level: AlertLevel?, queue: String, subject: String? = nil, measure: String, value: Double?, threshold: Double, message: String,
        depth: Int? = nil, scheduled: Int? = nil, running: Int? = nil, time: Date
    ) {
        self.level = level
        self.queue = queue
        self.subject = subject ?? queue
        self.measure = measure
        self.value = value
        self.threshold = threshold
        self.message = message
        self.depth = depth
        self.scheduled = scheduled
        self.running = running
        self.time = time
    }

    /// `WARNING`, `CRITICAL`, `INFO` or `RESOLVED`.
    public var label: String { level?.rawValue.uppercased() ?? "RESOLVED" }
}
