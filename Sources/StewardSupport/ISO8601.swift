import Foundation

extension Date {
    /// ISO 8601 with the zone's offset at this instant, e.g. `2026-03-08T03:00:00-04:00`.
    public func iso8601(in zone: TimeZone) -> String {
        let seconds = Int64(timeIntervalSince1970.rounded(.down))
        let offset = zone.secondsFromGMT(for: self)
        let local = CivilDateTime(localSeconds: seconds + Int64(offset))
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(local)\(sign)\(two(a / 3_600)):\(two(a / 60 % 60))"
    }
}

extension Date {
    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-30T10:07:46.588Z`: how instants appear
    /// in every JSON shape and in job listings.
    public var iso8601UTC: String {
        formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

extension Date {
    /// Parses ISO 8601 with or without fractional seconds (`2026-12-01T09:00:00Z`,
    /// `2026-12-01T09:00:00.250Z`); `nil` otherwise.
    public init?(iso8601 text: String) {
        if let d = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            self = d
        } else if let d = try? Date(text, strategy: .iso8601) {
            self = d
        } else {
            return nil
        }
    }
}
