import StewardSupport

/// How a task groups its stream into event-time windows.
public enum WindowSpec: Sendable, Equatable {
    /// Windows `[k·hop + origin, k·hop + origin + duration)`; an event belongs to every window
    /// that contains it. Tumbling is `hop == duration`.
    case sliding(duration: Double, hop: Double, origin: Double)
    /// Per key: events whose neighbours are less than `maxGap` apart form one session, from its
    /// first to its last event.
    case session(maxGap: Double)

    /// Back-to-back windows of `duration` seconds.
    public static func tumbling(_ duration: Double, origin: Double = 0) -> WindowSpec {
        .sliding(duration: duration, hop: duration, origin: origin)
    }

    /// Overlapping windows: labelled so duration and hop cannot be swapped.
    public static func sliding(duration: Double, every hop: Double, origin: Double = 0) -> WindowSpec {
        .sliding(duration: duration, hop: hop, origin: origin)
    }

    /// The most windows one event may belong to (`duration / hop`): each costs memory per key.
    public static let maximumOverlap = 10_000

    /// Checks the numbers; the error names the field and the limit.
    package func validate() -> String? {
        let longest = DurationParser.maximumSeconds
        switch self {
        case .sliding(let d, let h, let origin):
            if !(d > 0) || !d.isFinite { return "window duration must be a positive number, got \(d)" }
            if !(h > 0) || !h.isFinite { return "window hop must be a positive number, got \(h)" }
            if d > longest { return "window duration \(d) is longer than the maximum of \(longest) s (100 years)" }
            if h > d { return "window hop (\(h)) must not exceed its duration (\(d)): events between windows would be lost" }
            if d / h > Double(Self.maximumOverlap) {
                return "window duration / hop is \(d / h); at most \(Self.maximumOverlap) windows may overlap (each event is counted in every one)"
            }
            if !QualityTime.range.contains(origin) {
                return "window origin \(origin) is outside years 1 to 9999 (\(QualityTime.range.lowerBound)...\(QualityTime.range.upperBound) epoch seconds)"
            }
        case .session(let g):
            if !(g > 0) || !g.isFinite { return "session max_gap must be a positive number, got \(g)" }
            if g > longest { return "session max_gap \(g) is longer than the maximum of \(longest) s (100 years)" }
        }
        return nil
    }

    /// The indexes k of the sliding windows holding event time `t`, lowest first.
    @inline(__always)
    static func windowIndexes(_ t: Double, duration: Double, hop: Double, origin: Double) -> ClosedRange<Int64>? {
        let x = t - origin
        // Event times and origins are range-checked upstream; this keeps any other caller from trapping.
        guard abs(x / hop) < 9e18, abs((x - duration) / hop) < 9e18 else { return nil }
        var last = Int64((x / hop).rounded(.down))
        while Double(last + 1) * hop <= x { last += 1 }
        while Double(last) * hop > x { last -= 1 }
        // k·hop + duration > x  ⇔  k > (x - duration) / hop
        var first = Int64(((x - duration) / hop).rounded(.down)) + 1
        // Guard floating error at exact boundaries.
        while Double(first - 1) * hop + duration > x { first -= 1 }
        while Double(first) * hop + duration <= x { first += 1 }
        return first <= last ? first...last : nil
    }
}
