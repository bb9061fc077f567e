/// Where alerts go.
public enum AlertNotifier: Sendable, Equatable {
    /// The server's log (warning, or error for critical).
    case log
    /// A JSON POST: `{level, queue, measure, value, threshold, message, depth, scheduled, running,
    /// active_workers, time}`.
    case webhook(String)
    /// A Slack incoming webhook: `{text}` laid out as level and title, time, message, details.
    case slack(String)
}
