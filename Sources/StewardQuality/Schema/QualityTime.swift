import Foundation
import StewardSupport

/// Event-time parsing and printing.
enum QualityTime {
    static let utc = TimeZone(identifier: "UTC")!
    /// Event times Steward accepts, in epoch seconds: years 1 through 9999 (what ISO 8601 can
    /// write). A value outside, such as `1e300`, is a bad row, not a window index to overflow.
    static let range: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    static func iso(_ t: Double) -> String {
        let whole = t.rounded(.down)
        var s = String(Date(timeIntervalSince1970: whole).iso8601(in: utc).dropLast(6))
        if t != whole { s += String(format: "%.3f", t - whole).dropFirst() }  // ".123"
        return s + "Z"
    }

    static func parseISO(_ text: String) -> Double? {
        if let d = try? Date(text, strategy: .iso8601) { return d.timeIntervalSince1970 }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)?.timeIntervalSince1970
    }
}
