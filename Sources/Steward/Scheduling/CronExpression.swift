import Foundation

/// A parsed cron expression: 5 fields (`min hour dom mon dow`) or 6 with seconds first, or a
/// macro (`@daily`, …). Strict: every mistake is reported at parse time with the field and value.
///
/// Semantics follow Vixie/ISC cron: when day-of-month and day-of-week are both restricted a day
/// matches if either matches; a field that starts with `*` (or `?`) counts as unrestricted, and
/// then both must match. Extensions: `L`, `L-n`, `LW`, `nW` in day-of-month; `d#k` and `dL` in
/// day-of-week. Weekdays are 0–7 with 0 and 7 both Sunday. See docs/scheduling.md.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The text it was parsed from.
    public let source: String
    let seconds: UInt64
    let minutes: UInt64
    let hours: UInt64
    let months: UInt64
    let days: DayRule
    /// Whether the minute and hour fields are both fixed (do not start with `*`): such a job fires
    /// once per local time across DST transitions; otherwise it follows elapsed time.
    public let isFixedTime: Bool

    public var description: String { source }

    /// Parses `text`; throws ``CronError`` naming the field and the value.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        source = trimmed
        var fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if fields.count == 1, let macro = fields.first, macro.hasPrefix("@") {
            guard let expansion = Self.macros[macro.lowercased()] else {
                throw CronError(field: "macro", value: macro, reason: "unknown macro (known: \(Self.macroNames))")
            }
            fields = expansion.split(separator: " ").map(String.init)
        }
        switch fields.count {
        case 5: fields.insert("0", at: 0)
        case 6: break
        default:
            throw CronError(
                field: "expression", value: trimmed,
                reason: "expected 5 fields (min hour dom mon dow) or 6 (sec min hour dom mon dow), got \(fields.count)")
        }
        seconds = try CronField.second.parse(fields[0]).bits
        minutes = try CronField.minute.parse(fields[1]).bits
        hours = try CronField.hour.parse(fields[2]).bits
        let dom = try CronField.dayOfMonth.parse(fields[3])
        months = try CronField.month.parse(fields[4]).bits
        let dow = try CronField.dayOfWeek.parse(fields[5])
        days = DayRule(dom: dom, dow: dow)
        isFixedTime = !fields[1].hasPrefix("*") && !fields[2].hasPrefix("*")
        // A schedule that can never fire is a mistake worth reporting now: the Gregorian calendar
        // repeats every 400 years, so a search over one cycle is exact.
        if nextLocal(after: CivilDateTime(year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0), inclusive: true,
            horizonYears: 401) == nil
        {
            throw CronError(field: "expression", value: trimmed, reason: "can never fire (no such day in the months given)")
        }
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static var macroNames: String { macros.keys.sorted().joined(separator: ", ") }

    /// The first matching local wall time at or after (`inclusive`) or strictly after `start`,
    /// within `horizonYears`; pure calendar arithmetic, no time zone.
    func nextLocal(after start: CivilDateTime, inclusive: Bool, horizonYears: Int = 401) -> CivilDateTime? {
        var t = start
        if !inclusive { t = t.addingSeconds(1) }
        var (y, m, d) = (t.year, t.month, t.day)
        var tod: (Int, Int, Int)? = (t.hour, t.minute, t.second)
        let lastYear = t.year + horizonYears
        while y <= lastYear {
            if months & (1 << UInt64(m)) == 0 {
                (y, m, d) = m == 12 ? (y + 1, 1, 1) : (y, m + 1, 1)
                tod = nil
                continue
            }
            let length = CivilDateTime.daysInMonth(y, m)
            while d <= length {
                if days.matches(year: y, month: m, day: d, monthLength: length),
                    let (h, mi, s) = firstTime(atOrAfter: tod ?? (0, 0, 0))
                {
                    return CivilDateTime(year: y, month: m, day: d, hour: h, minute: mi, second: s)
                }
                d += 1
                tod = nil
            }
            (y, m, d) = m == 12 ? (y + 1, 1, 1) : (y, m + 1, 1)
            tod = nil
        }
        return nil
    }

    /// The first (hour, minute, second) in the sets at or after `from` on one day.
    private func firstTime(atOrAfter from: (Int, Int, Int)) -> (Int, Int, Int)? {
        var h = Self.next(hours, from: from.0)
        while let hour = h {
            let m0 = hour == from.0 ? from.1 : 0
            var mi = Self.next(minutes, from: m0)
            while let minute = mi {
                let s0 = (hour == from.0 && minute == from.1) ? from.2 : 0
                if let second = Self.next(seconds, from: s0) { return (hour, minute, second) }
                mi = Self.next(minutes, from: minute + 1)
            }
            h = Self.next(hours, from: hour + 1)
        }
        return nil
    }

    /// The smallest bit set in `bits` at or above `from`.
    static func next(_ bits: UInt64, from: Int) -> Int? {
        guard from < 64 else { return nil }
        let masked = bits & (~UInt64(0) << UInt64(from))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }
}

/// A cron expression that cannot be used, with the field and the value at fault.
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `second`, `minute`, `hour`, `day-of-month`, `month`, `day-of-week`, `macro` or `expression`.
    public var field: String
    /// The offending text.
    public var value: String
    /// What is wrong with it.
    public var reason: String

    public var description: String { "cron \(field) '\(value)': \(reason)" }
}

/// Which days match: Vixie's day-of-month / day-of-week rule plus the extensions.
struct DayRule: Sendable, Equatable {
    var dom: CronField.Parsed
    var dow: CronField.Parsed

    func matches(year: Int, month: Int, day: Int, monthLength: Int) -> Bool {
        let weekday = CivilDateTime.weekday(year, month, day)
        let domHit = dom.matchesDayOfMonth(day: day, weekday: weekday, monthLength: monthLength)
        let dowHit = dow.matchesDayOfWeek(day: day, weekday: weekday, monthLength: monthLength)
        return (dom.star || dow.star) ? (domHit && dowHit) : (domHit || dowHit)
    }
}
