/// A wall-clock date and time with no zone, and the calendar arithmetic cron needs (proleptic
/// Gregorian, no Foundation calendar: next-fire searches run this in tight loops).
package struct CivilDateTime: Sendable, Equatable, Comparable, CustomStringConvertible {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int

    package var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
    }

    package static func < (a: CivilDateTime, b: CivilDateTime) -> Bool { a.localSeconds < b.localSeconds }

    /// Seconds since 1970-01-01T00:00:00 on this wall clock (the instant if the zone were UTC).
    package var localSeconds: Int64 {
        Int64(Self.daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    package init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    package init(localSeconds s: Int64) {
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let rest = Int(s - days * 86_400)
        let (y, m, d) = Self.civilFromDays(Int(days))
        self.init(year: y, month: m, day: d, hour: rest / 3_600, minute: rest / 60 % 60, second: rest % 60)
    }

    package func addingSeconds(_ n: Int64) -> CivilDateTime { CivilDateTime(localSeconds: localSeconds + n) }

    package static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    package static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    package static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// 0 = Sunday … 6 = Saturday.
    package static func weekday(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let days = daysFromCivil(y, m, d)
        return ((days + 4) % 7 + 7) % 7  // 1970-01-01 was a Thursday
    }

    /// The day of the month's last Monday–Friday, given the weekday of its last day.
    package static func lastWeekday(weekdayOfLast w: Int, _ monthLength: Int) -> Int {
        switch w {
        case 6: monthLength - 1
        case 0: monthLength - 2
        default: monthLength
        }
    }

    /// The Monday–Friday nearest to day `n`, never leaving the month.
    package static func nearestWeekday(to n: Int, weekdayOfN w: Int, monthLength: Int) -> Int {
        switch w {
        case 6: n == 1 ? 3 : n - 1
        case 0: n == monthLength ? n - 2 : n + 1
        default: n
        }
    }
}
