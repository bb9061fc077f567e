import Foundation

/// How serious an alert is.
public enum AlertLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, critical

    public static func < (a: AlertLevel, b: AlertLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Thresholds of one measure: a value at or above a threshold is at that level.
public struct AlertThresholds: Sendable, Equatable {
    /// The value from which each level holds; a missing level is never raised.
    public var levels: [AlertLevel: Double]

    /// Creates thresholds.
    public init(info: Double? = nil, warning: Double? = nil, critical: Double? = nil) {
        var levels: [AlertLevel: Double] = [:]
        levels[.info] = info
        levels[.warning] = warning
        levels[.critical] = critical
        self.levels = levels
    }

    /// The highest level `value` reaches, and its threshold.
    func level(of value: Double) -> (AlertLevel, Double)? {
        for level in AlertLevel.allCases.reversed() {
            if let threshold = levels[level], value >= threshold { return (level, threshold) }
        }
        return nil
    }
}

/// What is watched on every queue, with per-queue overrides.
public struct AlertRules: Sendable, Equatable {
    /// A measure of a queue.
    public enum Measure: String, Sendable, CaseIterable {
        /// Jobs waiting to run (scheduled or available).
        case queueDepth = "queue_depth"
        /// Seconds the oldest due job has waited.
        case oldestAge = "oldest_age"
        /// Failed attempts / finished attempts over the last minute (0–1).
        case failureRate = "failure_rate"
    }

    /// Thresholds for every queue.
    public var defaults: [Measure: AlertThresholds]
    /// Thresholds replacing the defaults on one queue (per measure).
    public var overrides: [String: [Measure: AlertThresholds]]

    /// Creates rules; by default only the queue depth is watched (info 20, warning 50, critical 100).
    public init(
        defaults: [Measure: AlertThresholds] = [.queueDepth: AlertThresholds(info: 20, warning: 50, critical: 100)],
        overrides: [String: [Measure: AlertThresholds]] = [:]
    ) {
        self.defaults = defaults
        self.overrides = overrides
    }

    func thresholds(_ measure: Measure, queue: String) -> AlertThresholds? {
        overrides[queue]?[measure] ?? defaults[measure]
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

/// Decides which alerts to send: each measure of each queue notifies once when it crosses a level
/// upward and once when it recovers (falls below every threshold), never again while a level holds.
public struct AlertEvaluator: Sendable {
    let rules: AlertRules
    private var current: [String: AlertLevel] = [:]

    /// Creates an evaluator with no alert raised.
    public init(rules: AlertRules) { self.rules = rules }

    /// The alerts the latest statistics call for.
    public mutating func evaluate(_ stats: [QueueStats], now: Date) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for s in stats.sorted(by: { $0.queue < $1.queue }) {
            let depth = (s.counts[JobState.available.rawValue] ?? 0) + (s.counts[JobState.scheduled.rawValue] ?? 0)
            for measure in AlertRules.Measure.allCases {
                guard let thresholds = rules.thresholds(measure, queue: s.queue) else { continue }
                let value: Double =
                    switch measure {
                    case .queueDepth: Double(depth)
                    case .oldestAge: s.oldestWaitingAgeSeconds ?? 0
                    case .failureRate: s.errorRate
                    }
                let key = "\(s.queue)\u{0}\(measure.rawValue)"
                let before = current[key]
                let now_ = thresholds.level(of: value)
                current[key] = now_?.0
                func event(_ level: AlertLevel?, _ threshold: Double, _ message: String) -> AlertEvent {
                    AlertEvent(
                        level: level, queue: s.queue, measure: measure.rawValue, value: value, threshold: threshold, message: message,
                        depth: depth, scheduled: s.counts[JobState.scheduled.rawValue] ?? 0, running: s.running, time: now)
                }
                if let (level, threshold) = now_, before.map({ level > $0 }) ?? true {
                    events.append(event(level, threshold, "queue '\(s.queue)' \(Self.describe(measure, value)) reached \(Self.describe(measure, threshold)) (\(level.rawValue))"))
                } else if now_ == nil, before != nil {
                    let lowest = thresholds.levels.values.min() ?? 0
                    events.append(event(nil, lowest, "queue '\(s.queue)' \(Self.describe(measure, value)) is back below \(Self.describe(measure, lowest))"))
                }
            }
        }
        return events
    }

    static func describe(_ measure: AlertRules.Measure, _ value: Double) -> String {
        switch measure {
        case .queueDepth: "depth \(Int(value))"
        case .oldestAge: "oldest wait \(DurationParser.format(value))"
        case .failureRate: "failure rate \(String(format: "%.1f", value * 100)) %"
        }
    }
}
