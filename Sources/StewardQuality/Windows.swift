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

    /// Checks the numbers; the error names the field.
    func validate() -> String? {
        switch self {
        case .sliding(let d, let h, _):
            if !(d > 0) { return "window duration must be positive, got \(d)" }
            if !(h > 0) { return "window hop must be positive, got \(h)" }
            if h > d { return "window hop (\(h)) must not exceed its duration (\(d)): events between windows would be lost" }
        case .session(let g):
            if !(g > 0) { return "session max_gap must be positive, got \(g)" }
        }
        return nil
    }

    /// The indexes k of the sliding windows holding event time `t`, lowest first.
    @inline(__always)
    static func windowIndexes(_ t: Double, duration: Double, hop: Double, origin: Double) -> ClosedRange<Int64>? {
        let x = t - origin
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
