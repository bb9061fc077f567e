import Foundation
import Steward

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

/// Where a task's records go. Sinks are called from the task's own child task, in order.
public protocol QualitySink: Sendable {
    /// Writes records; throwing fails the task.
    func write(_ records: [QualityRecord]) async throws
    /// Flushes at the end of the run.
    func finish() async throws
}

/// A row a task left out under the `divert` schema policy, with the violation.
public struct RejectedRow: Sendable {
    /// The task that diverted it.
    public var task: String
    /// The violation.
    public var error: String
    /// The source's column names.
    public var columns: [String]
    /// The row's values, in column order.
    public var values: [QualityValue]

    /// `{"task":…, "error":…, "row": {column: value, …}}`.
    public func jsonLine() -> String {
        var out = "{\"task\":"
        JSONWriter.writeString(task, into: &out)
        out += ",\"error\":"
        JSONWriter.writeString(error, into: &out)
        out += ",\"row\":{"
        for (i, (c, v)) in zip(columns, values).enumerated() {
            if i > 0 { out += "," }
            JSONWriter.writeString(c, into: &out)
            out += ":"
            JSONWriter.write(v, into: &out)
        }
        return out + "}}"
    }
}

/// Where diverted rows go.
public protocol RejectedRowSink: Sendable {
    /// Writes rows left out of the windows.
    func write(rejected: [RejectedRow]) async throws
    /// Flushes at the end of the run.
    func finish() async throws
}

/// Appends JSON lines to a file (created or truncated when the run starts): records, or rows
/// diverted by the schema policy.
public final class JSONLFileSink: QualitySink, RejectedRowSink, @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = ""
    /// The file written.
    public let path: String

    /// Creates (or truncates) `path`.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw QualityError.source("cannot write \(path)")
        }
        handle = h
    }

    // One task writes through one sink, from one child task at a time: no lock needed. One
    // write per call (a batch of input), so a followed stream's records appear promptly.
    public func write(_ records: [QualityRecord]) async throws {
        for r in records {
            buffer += r.jsonLine()
            buffer += "\n"
        }
        try flush()
    }

    public func write(rejected: [RejectedRow]) async throws {
        for r in rejected {
            buffer += r.jsonLine()
            buffer += "\n"
        }
        try flush()
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    public func finish() async throws {
        try flush()
        try handle.close()
    }
}

/// Prints JSON lines to standard output.
public struct StdoutSink: QualitySink {
    /// Creates a stdout sink.
    public init() {}
    public func write(_ records: [QualityRecord]) async throws {
        var out = ""
        for r in records {
            out += r.jsonLine()
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
    public func finish() async throws {}
}

/// Event-time parsing and printing.
enum QualityTime {
    static let utc = TimeZone(identifier: "UTC")!
    /// Event times Steward accepts, in epoch seconds: years 1 through 9999 (what ISO 8601 can
    /// write). A value outside, such as `1e300`, is a bad row, not a window index to overflow.
    static let range: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    static func iso(_ t: Double) -> String {
        let whole = t.rounded(.down)
        var s = String(Date(timeIntervalSince1970: whole).iso8601(in: utc).dropLast(6))
        if t != whole { s += String(format: "%.3f", t - whole).dropFirst() }  // ".123"
        return s + "Z"
    }

    static func parseISO(_ text: String) -> Double? {
        if let d = try? Date(text, strategy: .iso8601) { return d.timeIntervalSince1970 }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)?.timeIntervalSince1970
    }
}
