import Foundation

/// Decides the pipeline notifications, as ``AlertEvaluator`` does for queues: a dataset notifies
/// once when it turns stale and once when it is fresh again; a late execution and an anomaly
/// notify once each. (Every finding is also in the store: anomalies in their table, freshness and
/// timeliness in the results of their check jobs.)
public struct PipelineAlertEvaluator: Sendable {
    private var stale = Set<String>()
    private var late = Set<Int64>()
    private var anomalies = Set<String>()
    private let since: Date

    /// Creates an evaluator; anomalies detected before `since` are taken as already notified.
    public init(since: Date) { self.since = since }

    /// The notifications the latest reports call for.
    public mutating func evaluate(
        freshness: FreshnessReport, timeliness: TimelinessReport, anomalies found: [PipelineAnomaly], now: Date
    ) -> [AlertEvent] {
        var events: [AlertEvent] = []
        let nowStale = Set(freshness.stale.map(\.dataset))
        for e in freshness.stale where !stale.contains(e.dataset) {
            let bound = DurationParser.format(e.maxAgeSeconds)
            let message =
                if let age = e.ageSeconds {
                    "dataset '\(e.dataset)' is stale: last modified \(DurationParser.format(age)) ago, max age \(bound)"
                } else {
                    "dataset '\(e.dataset)' is stale: never modified (max age \(bound))"
                }
            events.append(
                AlertEvent(
                    level: .warning, queue: PipelineChecks.freshness, subject: e.dataset, measure: "freshness", value: e.ageSeconds,
                    threshold: e.maxAgeSeconds, message: message, time: now))
        }
        for e in freshness.fresh where stale.contains(e.dataset) {
            events.append(
                AlertEvent(
                    level: nil, queue: PipelineChecks.freshness, subject: e.dataset, measure: "freshness", value: e.ageSeconds,
                    threshold: e.maxAgeSeconds, message: "dataset '\(e.dataset)' is fresh again", time: now))
        }
        stale = nowStale
        for e in timeliness.late where !late.contains(e.execution) {
            late.insert(e.execution)
            let verb = e.state == .running ? "has been running" : "ran"
            events.append(
                AlertEvent(
                    level: .warning, queue: PipelineChecks.timeliness, subject: e.pipeline, measure: "timeliness", value: e.durationSeconds,
                    threshold: e.maxDurationSeconds,
                    message: "pipeline '\(e.pipeline)' execution \(e.execution) \(verb) \(DurationParser.format(e.durationSeconds)), max \(DurationParser.format(e.maxDurationSeconds))",
                    time: now))
        }
        for a in found.sorted(by: { ($0.detectedAt, $0.execution, $0.metric) < ($1.detectedAt, $1.execution, $1.metric) }) where a.detectedAt >= since {
            guard anomalies.insert("\(a.execution)\u{0}\(a.metric)").inserted else { continue }
            let z = a.z.map { String(format: "z %.2f", $0) } ?? "the history never varied"
            events.append(
                AlertEvent(
                    level: .warning, queue: PipelineChecks.anomalies, subject: a.pipeline, measure: "anomaly", value: a.value, threshold: a.mean,
                    message: "pipeline '\(a.pipeline)' execution \(a.execution): \(a.metric) = \(a.value) is anomalous (mean \(a.mean), std \(a.std), \(z))",
                    time: now))
        }
        return events
    }
}
