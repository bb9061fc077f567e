import Foundation
import StewardSupport

/// One emitted window of one task (and key): the output row.
public struct QualityRecord: Sendable {
    /// The task.
    public var task: String
    /// Window start, as event time in seconds.
    public var windowStart: Double
    /// Window end (exclusive; a session's last event), as event time in seconds.
    public var windowEnd: Double
    /// Whether bounds print as ISO 8601 (the time column held text) rather than numbers.
    public var isoTime: Bool
    /// The key column and value, for keyed tasks.
    public var key: (column: String, value: QualityValue)?
    /// One entry per check, in declared order.
    public var checks: [(name: String, value: MeasureResult, passed: Bool?)]
    /// Rows that broke the schema in this window (present when the source has a schema).
    public var schemaErrors: Int?
    /// The window's schema violations (up to 10), with `schemaMessages`.
    public var schemaMessages: [String]? = nil
    /// Late events of the key dropped since its previous record (with `late_column`).
    public var late: Int?
    /// Anomaly severity (with an anomaly detector).
    public var anomaly: String?
    /// For session revisions: -1 retracts an earlier version, 1 inserts the current one.
    public var diff: Int?

    /// Whether every assessed check passed.
    public var allPassed: Bool { checks.allSatisfy { $0.passed != false } }

    /// The record as one JSON line (no newline).
    public func jsonLine() -> String {
        var out = "{\"window_start\":"
        writeTime(windowStart, into: &out)
        out += ",\"window_end\":"
        writeTime(windowEnd, into: &out)
        if let key {
            out += ","
            JSONWriter.writeString(key.column, into: &out)
            out += ":"
            JSONWriter.write(key.value, into: &out)
        }
        out += ",\"task\":"
        JSONWriter.writeString(task, into: &out)
        for c in checks {
            out += ","
            JSONWriter.writeString(c.name, into: &out)
            out += ":"
            if let passed = c.passed {
                out += "["
                JSONWriter.write(c.value, into: &out)
                out += passed ? ",true]" : ",false]"
            } else {
                JSONWriter.write(c.value, into: &out)
            }
        }
        if let schemaErrors { out += ",\"_schema_errors\":\(schemaErrors)" }
        if let schemaMessages {
            out += ",\"_schema_messages\":["
            for (i, m) in schemaMessages.enumerated() {
                if i > 0 { out += "," }
                JSONWriter.writeString(m, into: &out)
            }
            out += "]"
        }
        if let late { out += ",\"late\":\(late)" }
        if let anomaly { out += ",\"anomaly\":\"\(anomaly)\"" }
        if let diff { out += ",\"diff\":\(diff)" }
        out += "}"
        return out
    }

    private func writeTime(_ t: Double, into out: inout String) {
        if isoTime {
            JSONWriter.writeString(QualityTime.iso(t), into: &out)
        } else {
            JSONWriter.writeNumber(t, into: &out)
        }
    }
}
