import Foundation

/// Schedules as surfaces spell them (the CLI's flags, the HTTP API's fields, the configuration
/// file's keys): one parser each for the trigger and the misfire policy, so every surface accepts
/// and refuses the same. Errors name the field (`cron`, `every`, `jitter`, `misfire`).
extension Schedule.Trigger {
    /// Exactly one of a cron expression (in `timeZone`, UTC unless given) and an interval `every`
    /// (with up to `jitter` of random delay per run).
    public static func from(cron: String?, timeZone: String?, every: Duration?, jitter: Duration?) throws -> Schedule.Trigger {
        switch (cron, every) {
        case (let expression?, nil):
            if jitter != nil {
                throw StewardError.invalidArgument(field: "jitter", message: "jitter: applies to every, not to cron")
            }
            return .cron(expression: expression, timeZone: timeZone ?? "UTC")
        case (nil, let every?):
            if timeZone != nil {
                throw StewardError.invalidArgument(field: "timezone", message: "timezone: applies to cron, not to every")
            }
            return .interval(seconds: every.seconds, anchor: nil, jitter: jitter?.seconds ?? 0)
        default:
            throw StewardError.invalidArgument(field: "cron", message: "cron: give exactly one of cron and every")
        }
    }
}

extension Schedule.MisfirePolicy {
    /// `coalesce`, `skip` or `catchup:N` (N at least 1).
    public static func parse(_ text: String) throws -> Schedule.MisfirePolicy {
        switch text.lowercased() {
        case "coalesce": return .coalesce
        case "skip": return .skip
        case let t where t.hasPrefix("catchup:"):
            guard let n = Int(t.dropFirst("catchup:".count)), n >= 1 else {
                throw StewardError.invalidArgument(field: "misfire", message: "misfire: '\(text)' needs a number of at least 1 after catchup:")
            }
            return .catchUp(max: n)
        default:
            throw StewardError.invalidArgument(field: "misfire", message: "misfire: '\(text)' is not coalesce, skip or catchup:N")
        }
    }
}
