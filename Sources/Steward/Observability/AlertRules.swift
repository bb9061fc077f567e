import Foundation

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
