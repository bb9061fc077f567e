import Foundation

extension CronExpression {
    /// The first fire instant strictly after `date`, computed in `zone`.
    ///
    /// Time is cut into segments of constant UTC offset. Within a segment wall time moves with
    /// elapsed time. At a transition, following Vixie/ISC cron:
    /// - a **fixed-time** job (minute and hour fields not starting with `*`) whose wall time falls
    ///   in a spring-forward gap fires once, at the first instant after the gap; in a fall-back
    ///   fold it fires once, at the first occurrence;
    /// - any other job follows elapsed time: wall times in a gap do not exist and are skipped,
    ///   wall times repeated in a fold fire again.
    public func nextFire(after date: Date, in zone: TimeZone) -> Date? {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        var segmentStart = t
        var previousOffset: Int64? = nil
        // The segment holding `t` may have begun with a fold: find its transition, if recent.
        var probe = Date(timeIntervalSince1970: Double(t - 2 * 86_400))
        while let transition = zone.nextDaylightSavingTimeTransition(after: probe), transition.timeIntervalSince1970 <= Double(t) {
            segmentStart = Int64(transition.timeIntervalSince1970)
            previousOffset = Int64(zone.secondsFromGMT(for: transition.addingTimeInterval(-1)))
            probe = transition
        }
        var first = true
        for _ in 0..<4_000 {
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(segmentStart))))
            let end = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(segmentStart)))
                .map { Int64($0.timeIntervalSince1970) } ?? Int64.max
            var lowLocal = first ? t + 1 + offset : segmentStart + offset
            if let before = previousOffset {
                if offset > before, !first, isFixedTime,
                    let skipped = nextLocal(after: CivilDateTime(localSeconds: segmentStart + before), inclusive: true),
                    skipped.localSeconds < segmentStart + offset
                {
                    return Date(timeIntervalSince1970: Double(segmentStart))  // the first instant after the gap
                }
                if offset < before, isFixedTime {
                    lowLocal = max(lowLocal, segmentStart + before)  // these wall times already fired
                }
            }
            if let next = nextLocal(after: CivilDateTime(localSeconds: lowLocal), inclusive: true) {
                let instant = next.localSeconds - offset
                if instant < end { return Date(timeIntervalSince1970: Double(instant)) }
            }
            guard end != Int64.max else { return nil }
            previousOffset = offset
            segmentStart = end
            first = false
        }
        return nil
    }

    /// The next `count` fire instants after `date`.
    public func nextFires(after date: Date, in zone: TimeZone, count: Int) -> [Date] {
        var out: [Date] = []
        var from = date
        while out.count < count, let next = nextFire(after: from, in: zone) {
            out.append(next)
            from = next
        }
        return out
    }
}
