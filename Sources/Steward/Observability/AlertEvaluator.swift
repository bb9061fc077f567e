import Foundation

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
