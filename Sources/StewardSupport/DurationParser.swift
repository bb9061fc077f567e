import Foundation

/// Parses human durations such as `250ms`, `30s`, `5m`, `1h`, `1h30m` or a bare number of seconds.
public enum DurationParser {
    /// The longest duration accepted: 100 years (36525d). Longer values are refused rather than
    /// clamped, so a typo such as `1e10` is reported instead of silently meaning "never".
    public static let maximumSeconds: Double = 36525 * 86400

    /// Parses `text`; throws ``StewardError/invalidArgument(field:message:)`` naming the value when it is
    /// malformed, negative, not finite or longer than ``maximumSeconds``.
    public static func parse(_ text: String, field: String = "duration") throws -> Duration {
        .seconds(double: try checked(try parseSeconds(text, field: field), text: text, field: field))
    }

    /// Checks a number of seconds from a user, a config or a payload: finite, not negative, at
    /// most ``maximumSeconds``.
    public static func checked(_ seconds: Double, text: String? = nil, field: String) throws -> Double {
        let shown = text ?? "\(seconds)"
        guard seconds.isFinite, seconds >= 0 else {
            throw StewardError.invalidArgument(field: field, message: "\(field): '\(shown)' is not a finite, non-negative duration")
        }
        guard seconds <= maximumSeconds else {
            throw StewardError.invalidArgument(field: field, message: "\(field): '\(shown)' is longer than the maximum of 36525d (100 years)")
        }
        return seconds
    }

    /// A short human form: `250ms`, `1.5s`, `2.0m`, `1.5h`.
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 120 { return String(format: "%.1fs", seconds) }
        if seconds < 7200 { return String(format: "%.1fm", seconds / 60) }
        return String(format: "%.1fh", seconds / 3600)
    }

    private static func parseSeconds(_ text: String, field: String) throws -> Double {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(s), !plain.isNaN { return plain }
        var total = 0.0
        var number = ""
        var unit = ""
        var parts: [(Double, String)] = []
        func flush() throws {
            guard let n = Double(number), !unit.isEmpty else {
                throw StewardError.invalidArgument(field: field, message: "\(field): '\(text)' is not a duration (use e.g. 500ms, 30s, 5m, 1h)")
            }
            parts.append((n, unit))
            number = ""
            unit = ""
        }
        for ch in s {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { try flush() }
                number.append(ch)
            } else if ch.isLetter {
                unit.append(ch)
            } else {
                throw StewardError.invalidArgument(field: field, message: "\(field): '\(text)' is not a duration (use e.g. 500ms, 30s, 5m, 1h)")
            }
        }
        try flush()
        for (n, u) in parts {
            switch u {
            case "ms": total += n / 1000
            case "s", "sec": total += n
            case "m", "min": total += n * 60
            case "h": total += n * 3600
            case "d": total += n * 86400
            default:
                throw StewardError.invalidArgument(field: field, message: "\(field): unknown unit '\(u)' in '\(text)' (use ms, s, m, h, d)")
            }
        }
        return total
    }
}

