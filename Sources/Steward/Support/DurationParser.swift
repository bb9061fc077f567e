import Foundation

/// Parses human durations such as `250ms`, `30s`, `5m`, `1h`, `1h30m` or a bare number of seconds.
public enum DurationParser {
    /// Parses `text`; throws ``StewardError/invalidArgument(_:)`` naming the value when it is malformed.
    public static func parse(_ text: String, field: String = "duration") throws -> Duration {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(s), plain >= 0 { return .seconds(double: plain) }
        var total = 0.0
        var number = ""
        var unit = ""
        var parts: [(Double, String)] = []
        func flush() throws {
            guard let n = Double(number), !unit.isEmpty else {
                throw StewardError.invalidArgument("\(field): '\(text)' is not a duration (use e.g. 500ms, 30s, 5m, 1h)")
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
                throw StewardError.invalidArgument("\(field): '\(text)' is not a duration (use e.g. 500ms, 30s, 5m, 1h)")
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
                throw StewardError.invalidArgument("\(field): unknown unit '\(u)' in '\(text)' (use ms, s, m, h, d)")
            }
        }
        return .seconds(double: total)
    }
}

