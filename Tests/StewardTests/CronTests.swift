import Foundation
import Steward
import Testing

/// The next `count` fires of `expression` in `zone` after `from`, as ISO 8601 with offsets.
private func fires(_ expression: String, _ zone: String = "UTC", from: String, count: Int = 3) throws -> [String] {
    let tz = try #require(TimeZone(identifier: zone))
    let start = try #require(ISO8601DateFormatter().date(from: from))
    return try CronExpression(expression).nextFires(after: start, in: tz, count: count).map { $0.iso8601(in: tz) }
}

@Suite("Cron expressions")
struct CronTests {
    @Test("fields: values, ranges, lists, steps, names, seconds, 7 = Sunday, ?")
    func syntax() throws {
        #expect(try fires("*/20 * * * *", from: "2026-01-01T00:05:00Z") == [
            "2026-01-01T00:20:00+00:00", "2026-01-01T00:40:00+00:00", "2026-01-01T01:00:00+00:00",
        ])
        #expect(try fires("5-10/5,30 9 * * *", from: "2026-01-01T00:00:00Z") == [
            "2026-01-01T09:05:00+00:00", "2026-01-01T09:10:00+00:00", "2026-01-01T09:30:00+00:00",
        ])
        #expect(try fires("50/5 8 * * *", from: "2026-01-01T00:00:00Z") == [
            "2026-01-01T08:50:00+00:00", "2026-01-01T08:55:00+00:00", "2026-01-02T08:50:00+00:00",
        ])
        // Seconds first in the 6-field form.
        #expect(try fires("15,45 0 12 * * *", from: "2026-01-01T12:00:15Z") == [
            "2026-01-01T12:00:45+00:00", "2026-01-02T12:00:15+00:00", "2026-01-02T12:00:45+00:00",
        ])
        // Names are case-insensitive; 0 and 7 are both Sunday; ? is *.
        let sundays = try fires("0 6 ? jan-Feb 7", from: "2026-01-01T00:00:00Z", count: 2)
        #expect(sundays == ["2026-01-04T06:00:00+00:00", "2026-01-11T06:00:00+00:00"])
        #expect(try fires("0 6 * JAN-FEB sun", from: "2026-01-01T00:00:00Z", count: 2) == sundays)
        #expect(try fires("0 6 * 1-2 0", from: "2026-01-01T00:00:00Z", count: 2) == sundays)
        #expect(try fires("0 0 * * mon-fri", from: "2026-01-02T00:00:00Z", count: 2) == [
            "2026-01-05T00:00:00+00:00", "2026-01-06T00:00:00+00:00",
        ])
    }

    @Test("macros")
    func macros() throws {
        let from = "2026-05-15T10:20:00Z"
        #expect(try fires("@yearly", from: from, count: 1) == ["2027-01-01T00:00:00+00:00"])
        #expect(try fires("@annually", from: from, count: 1) == ["2027-01-01T00:00:00+00:00"])
        #expect(try fires("@monthly", from: from, count: 1) == ["2026-06-01T00:00:00+00:00"])
        #expect(try fires("@weekly", from: from, count: 1) == ["2026-05-17T00:00:00+00:00"])
        #expect(try fires("@daily", from: from, count: 1) == ["2026-05-16T00:00:00+00:00"])
        #expect(try fires("@midnight", from: from, count: 1) == ["2026-05-16T00:00:00+00:00"])
        #expect(try fires("@HOURLY", from: from, count: 1) == ["2026-05-15T11:00:00+00:00"])
    }

    @Test("day-of-month and day-of-week: either when both are restricted, both when one starts with *")
    func vixieDayRule() throws {
        // The 13th or any Friday.
        #expect(try fires("0 0 13 * 5", from: "2026-02-01T00:00:00Z", count: 4) == [
            "2026-02-06T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00",
            "2026-02-27T00:00:00+00:00",
        ])
        #expect(try fires("0 0 1,15 * 1", from: "2026-06-01T00:00:00Z", count: 3) == [
            "2026-06-08T00:00:00+00:00", "2026-06-15T00:00:00+00:00", "2026-06-22T00:00:00+00:00",
        ])
        // `*/2` starts with *: odd days that are also Mondays.
        #expect(try fires("0 0 */2 * 1", from: "2026-06-01T00:00:00Z", count: 3) == [
            "2026-06-15T00:00:00+00:00", "2026-06-29T00:00:00+00:00", "2026-07-13T00:00:00+00:00",
        ])
    }

    @Test("month ends and leap years")
    func monthEnds() throws {
        #expect(try fires("0 0 29 2 *", from: "2025-01-01T00:00:00Z", count: 2) == [
            "2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00",
        ])
        // 31 exists in seven months only.
        #expect(try fires("0 0 31 * *", from: "2026-01-31T00:00:00Z", count: 3) == [
            "2026-03-31T00:00:00+00:00", "2026-05-31T00:00:00+00:00", "2026-07-31T00:00:00+00:00",
        ])
        // Year 2100 is not a leap year, 2000 was.
        #expect(try fires("0 0 29 2 *", from: "2096-03-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00+00:00"])
        #expect(try fires("0 0 29 2 *", from: "1999-01-01T00:00:00Z", count: 1) == ["2000-02-29T00:00:00+00:00"])
    }

    @Test("extensions: L, L-n, LW, nW, d#k, dL")
    func extensions() throws {
        #expect(try fires("0 0 L * *", from: "2024-01-15T00:00:00Z") == [
            "2024-01-31T00:00:00+00:00", "2024-02-29T00:00:00+00:00", "2024-03-31T00:00:00+00:00",
        ])
        #expect(try fires("0 0 L-2 * *", from: "2026-02-01T00:00:00Z", count: 2) == [
            "2026-02-26T00:00:00+00:00", "2026-03-29T00:00:00+00:00",
        ])
        // Last weekday: 2026-01-31 is a Saturday, 2026-05-31 a Sunday.
        #expect(try fires("0 0 LW 1,5 *", from: "2026-01-01T00:00:00Z", count: 2) == [
            "2026-01-30T00:00:00+00:00", "2026-05-29T00:00:00+00:00",
        ])
        // Nearest weekday: the 15th of Feb 2026 is a Sunday (-> Mon 16), of Aug 2026 a Saturday (-> Fri 14).
        #expect(try fires("0 0 15W 2,8 *", from: "2026-01-01T00:00:00Z", count: 2) == [
            "2026-02-16T00:00:00+00:00", "2026-08-14T00:00:00+00:00",
        ])
        // 1W on a Saturday never goes back into the previous month: 2026-08-01 -> Mon 3rd.
        #expect(try fires("0 0 1W 8 *", from: "2026-01-01T00:00:00Z", count: 1) == ["2026-08-03T00:00:00+00:00"])
        // 31W on a Sunday stays in the month: 2026-05-31 -> Fri 29th. No fire in 30-day months.
        #expect(try fires("0 0 31W * *", from: "2026-04-01T00:00:00Z", count: 2) == [
            "2026-05-29T00:00:00+00:00", "2026-07-31T00:00:00+00:00",
        ])
        // Third Friday; fifth Monday skips months without one.
        #expect(try fires("0 0 * * FRI#3", from: "2026-01-01T00:00:00Z", count: 2) == [
            "2026-01-16T00:00:00+00:00", "2026-02-20T00:00:00+00:00",
        ])
        #expect(try fires("0 0 * * 1#5", from: "2026-01-01T00:00:00Z", count: 3) == [
            "2026-03-30T00:00:00+00:00", "2026-06-29T00:00:00+00:00", "2026-08-31T00:00:00+00:00",
        ])
        // Last Sunday (7L = 0L).
        #expect(try fires("0 1 * * 7L", from: "2026-01-01T00:00:00Z", count: 2) == [
            "2026-01-25T01:00:00+00:00", "2026-02-22T01:00:00+00:00",
        ])
    }

    @Test("America/New_York: a fixed-time job fires once in the gap and once in the fold")
    func newYorkFixed() throws {
        // 02:30 does not exist on 2026-03-08: it fires at 03:00 EDT, the first instant after the gap.
        #expect(try fires("30 2 * * *", "America/New_York", from: "2026-03-07T12:00:00Z") == [
            "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00",
        ])
        // Two wall times in the gap and one at its end: still one fire.
        #expect(try fires("0,30 2,3 8 3 *", "America/New_York", from: "2026-03-08T00:00:00Z") == [
            "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00", "2027-03-08T02:00:00-05:00",
        ])
        // 01:30 happens twice on 2026-11-01: only the first.
        #expect(try fires("30 1 * * *", "America/New_York", from: "2026-10-31T12:00:00Z") == [
            "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00",
        ])
        // Starting inside the second pass of the fold does not fire the repeated time again.
        #expect(try fires("30 1 * * *", "America/New_York", from: "2026-11-01T06:10:00Z", count: 1) == [
            "2026-11-02T01:30:00-05:00",
        ])
    }

    @Test("America/New_York: a wildcard job follows elapsed time")
    func newYorkWildcard() throws {
        #expect(try fires("*/30 * * * *", "America/New_York", from: "2026-03-08T06:10:00Z") == [
            "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00",
        ])
        #expect(try fires("*/30 * * * *", "America/New_York", from: "2026-11-01T04:40:00Z", count: 6) == [
            "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
            "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00",
        ])
        // Minute fixed, hour wildcard: still elapsed time (02:15 is skipped in the gap).
        #expect(try fires("15 * * * *", "America/New_York", from: "2026-03-08T06:00:00Z", count: 2) == [
            "2026-03-08T01:15:00-05:00", "2026-03-08T03:15:00-04:00",
        ])
    }

    @Test("Europe/Berlin, Australia/Lord_Howe (30-minute shift), Asia/Kolkata (+05:30, no DST)")
    func otherZones() throws {
        #expect(try fires("30 2 * * *", "Europe/Berlin", from: "2026-03-28T12:00:00Z", count: 2) == [
            "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
        ])
        #expect(try fires("30 2 * * *", "Europe/Berlin", from: "2026-10-24T12:00:00Z", count: 2) == [
            "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
        ])
        // Lord Howe: 02:00 -> 02:30 on 2026-10-04; 02:00 -> 01:30 on 2026-04-05.
        #expect(try fires("0 2 * * *", "Australia/Lord_Howe", from: "2026-10-03T00:00:00Z", count: 2) == [
            "2026-10-04T02:30:00+11:00", "2026-10-05T02:00:00+11:00",
        ])
        #expect(try fires("45 1 * * *", "Australia/Lord_Howe", from: "2026-04-04T00:00:00Z", count: 2) == [
            "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30",
        ])
        #expect(try fires("*/20 1 * * *", "Australia/Lord_Howe", from: "2026-04-04T14:30:00Z", count: 6).count == 6)
        #expect(try fires("0 9 * * MON-FRI", "Asia/Kolkata", from: "2026-11-20T00:00:00Z") == [
            "2026-11-20T09:00:00+05:30", "2026-11-23T09:00:00+05:30", "2026-11-24T09:00:00+05:30",
        ])
    }

    @Test("a daily or monthly schedule never skips a period across a transition")
    func noSkippedPeriods() throws {
        let zones = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
        let times = ["0 0", "30 1", "0 2", "30 2", "59 2", "0 3"]
        for zone in zones {
            for time in times {
                let daily = try fires("\(time) * * *", zone, from: "2026-01-01T00:00:00Z", count: 365)
                let days = Set(daily.map { $0.prefix(10) })
                #expect(days.count == 365, "\(zone) '\(time) * * *' fired on \(days.count) distinct days of 365")
                let monthly = try fires("\(time) 1 * *", zone, from: "2026-01-01T00:00:00Z", count: 12)
                #expect(Set(monthly.map { $0.prefix(7) }).count == 12, "\(zone) monthly \(time)")
            }
        }
    }

    @Test(
        "invalid expressions are refused, naming the field and the value",
        arguments: [
            ("* * * *", "expression"), ("* * * * * * *", "expression"), ("60 * * * *", "minute"),
            ("* 24 * * *", "hour"), ("* * 0 * *", "day-of-month"), ("* * 32 * *", "day-of-month"),
            ("* * * 13 *", "month"), ("* * * * 8", "day-of-week"), ("60 * * * * *", "second"),
            ("*/0 * * * *", "minute"), ("*/60 * * * *", "minute"), ("* */24 * * *", "hour"), ("5-1 * * * *", "minute"),
            ("1,,2 * * * *", "minute"), ("1- * * * *", "minute"), ("1-2-3 * * * *", "minute"), ("a * * * *", "minute"),
            ("* * * FOO *", "month"), ("* * * * MOO", "day-of-week"), ("@fortnightly", "macro"), ("@reboot", "macro"),
            ("L * * * *", "minute"), ("* * * * 1W", "day-of-week"), ("* * 5#2 * *", "day-of-month"), ("* * * L *", "month"),
            ("* * * * 1#6", "day-of-week"), ("* * * * 1#0", "day-of-week"), ("* * L-31 * *", "day-of-month"),
            ("* * 32W * *", "day-of-month"), ("* ? * * *", "hour"), ("0 0 30 2 *", "expression"),
            ("0 0 31 4,6,9,11 *", "expression"), ("0 0 1/2/3 * *", "day-of-month"), ("* * * * L", "day-of-week"),
        ] as [(String, String)])
    func invalid(_ expression: String, _ field: String) {
        #expect {
            _ = try CronExpression(expression)
        } throws: { error in
            guard let e = error as? CronError else { return false }
            return e.field == field && !e.value.isEmpty && "\(e)".contains(e.value)
        }
    }

    @Test("fixed-time detection follows the minute and hour fields")
    func fixedTime() throws {
        #expect(try CronExpression("30 2 * * *").isFixedTime)
        #expect(try CronExpression("*/10 0 3 * * *").isFixedTime)
        #expect(try CronExpression("@daily").isFixedTime)
        #expect(try !CronExpression("@hourly").isFixedTime)
        #expect(try !CronExpression("*/5 2 * * *").isFixedTime)
        #expect(try !CronExpression("0 * * * *").isFixedTime)
    }
}
