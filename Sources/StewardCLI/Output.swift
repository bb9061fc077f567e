import Foundation
import Steward

/// An optional that encodes as `null` when empty. Synthesized `Encodable` leaves a nil key out;
/// the `--json` contract is the same keys on every row, so every optional field of an output
/// shape is wrapped in this.
@propertyWrapper
struct Null<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

/// The stable `--json` shape of a job (snake_case keys, ISO-8601 instants, embedded JSON).
struct JobOutput: Encodable {
    struct Progress: Encodable {
        @Null var step: Int?
        @Null var total_steps: Int?
        @Null var percent: Double?
        @Null var message: String?
    }
    struct ErrorOutput: Encodable {
        var type: String
        var message: String
        var attempt: Int
    }

    var id: Int64
    var queue: String
    var name: String
    var state: String
    var attempt: Int
    var max_attempts: Int
    var retries: Int
    var priority: Int
    var payload: JSONValue
    @Null var progress: Progress?
    @Null var error: ErrorOutput?
    @Null var result: JSONValue?
    var metadata: [String: String]
    @Null var unique_key: String?
    @Null var original_queue: String?
    @Null var lease_owner: String?
    var run_at: String
    var created_at: String
    @Null var started_at: String?
    @Null var finished_at: String?

    init(_ r: JobRecord) {
        id = r.id.rawValue
        queue = r.queue
        name = r.name
        state = r.state.rawValue
        attempt = r.attempt
        max_attempts = r.maxAttempts
        retries = r.retryCount
        priority = r.priority
        payload = JSONValue(parsing: r.payload) ?? .string(r.payload)
        progress = r.progress.map { Progress(step: $0.step, total_steps: $0.totalSteps, percent: $0.percent, message: $0.message) }
        error = r.lastError.map { ErrorOutput(type: $0.type, message: $0.message, attempt: $0.attempt) }
        result = r.result.map { JSONValue(parsing: $0) ?? .string($0) }
        metadata = r.metadata
        unique_key = r.uniqueKey
        original_queue = r.originalQueue
        lease_owner = r.state == .running ? r.leaseOwner : nil
        run_at = iso(r.runAt)
        created_at = iso(r.createdAt)
        started_at = r.startedAt.map(iso)
        finished_at = r.finishedAt.map(iso)
    }

}

/// The `--json` shape of an enqueued job (`job enqueue`, `schedule trigger`).
struct EnqueueOutput: Encodable {
    var id: Int64
    var state: String
    var duplicate: Bool

    init(_ r: EnqueueResult) {
        (id, state, duplicate) = (r.id.rawValue, r.state.rawValue, r.duplicate)
    }
}

/// The stable `--json` shape of queue statistics.
struct QueueStatsOutput: Encodable {
    var queue: String
    var paused: Bool
    var counts: [String: Int]
    var running: Int
    var succeeded_last_minute: Int
    var failed_last_minute: Int
    var error_rate: Double
    @Null var oldest_waiting_age_s: Double?

    init(_ s: QueueStats) {
        queue = s.queue
        paused = s.paused
        counts = s.counts
        running = s.running
        succeeded_last_minute = s.succeededLastMinute
        failed_last_minute = s.failedLastMinute
        error_rate = (s.errorRate * 10_000).rounded() / 10_000
        oldest_waiting_age_s = s.oldestWaitingAgeSeconds.map { ($0 * 1000).rounded() / 1000 }
    }

}

func iso(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
}

/// Prints one JSON document with sorted keys.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// `1 retry` / `2 retries`.
func plural(_ n: Int, _ one: String, _ many: String) -> String {
    "\(n) \(n == 1 ? one : many)"
}

func describeProgress(_ p: JobProgress) -> String {
    var parts: [String] = []
    if let step = p.step { parts.append(p.totalSteps.map { "step \(step)/\($0)" } ?? "step \(step)") }
    if let pct = p.percent { parts.append(String(format: "%.0f%%", pct)) }
    if let m = p.message { parts.append("\"\(m)\"") }
    return parts.joined(separator: ", ")
}

func formatSeconds(_ s: Double) -> String {
    if s < 1 { return String(format: "%.0fms", s * 1000) }
    if s < 120 { return String(format: "%.1fs", s) }
    if s < 7200 { return String(format: "%.1fm", s / 60) }
    return String(format: "%.1fh", s / 3600)
}

extension String {
    /// The text with control characters (terminal escape codes, newlines) shown as escapes, for
    /// human output: a stored name or message must not drive the terminal.
    var printable: String {
        guard unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += scalar.value < 0x100 ? String(format: "\\x%02x", scalar.value) : String(format: "\\u{%x}", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
