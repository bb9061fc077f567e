import Foundation
import StewardSupport

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
