import Foundation

/// Whether a planned firing applies, decided once, here, for every store: the compare-and-set
/// on the stored next fire and the exclusive-run check. A store locks and reads the schedules'
/// rows, asks ``decide(_:stored:isLive:)`` for each firing, and writes the answers, all in one
/// transaction.
package enum ScheduleFireRule {
    /// A schedule's row as the store read it (under lock).
    package struct Stored: Sendable {
        package var paused: Bool
        package var nextFireAt: Date?
        package var lastJobID: Int64?

        package init(paused: Bool, nextFireAt: Date?, lastJobID: Int64?) {
            self.paused = paused
            self.nextFireAt = nextFireAt
            self.lastJobID = lastJobID
        }
    }

    /// What to do with one firing.
    package enum Decision: Sendable, Equatable {
        /// Nothing: the schedule is gone, paused, or another scheduler moved its next fire.
        case stale
        /// Count a skip (and advance a timetable firing's state): the previous run is live.
        case skip(running: Int64)
        /// Advance the state (for a timetable firing) and enqueue the jobs.
        case fire
    }

    /// The decision for `fire` given its stored row (`nil`: no such schedule) and whether a job
    /// id is still live (scheduled, available or running).
    package static func decide(_ fire: ScheduleFire, stored: Stored?, isLive: (Int64) throws -> Bool) rethrows -> Decision {
        guard let stored else { return .stale }
        if let expected = fire.expectedNextFireAt {
            guard !stored.paused, let next = stored.nextFireAt, abs(next.timeIntervalSince(expected)) < 1e-6 else {
                return .stale
            }
        }
        if fire.exclusive, let last = stored.lastJobID, try isLive(last) { return .skip(running: last) }
        return .fire
    }

    /// Whether a decided firing writes the schedule's state (next fire, counters): timetable
    /// firings that apply, and every skip (a manual trigger keeps its next fire).
    package static func updatesState(_ fire: ScheduleFire, _ decision: Decision) -> Bool {
        switch decision {
        case .stale: false
        case .skip: true
        case .fire: fire.expectedNextFireAt != nil
        }
    }

    /// Indexes of `fires` in rounds in which each schedule appears once, in order, so each round
    /// sees the state the previous one wrote (the scheduler never repeats a name in one batch).
    package static func rounds(_ fires: [ScheduleFire]) -> [[Int]] {
        var rounds: [[Int]] = []
        var roundOf: [String: Int] = [:]
        for (i, fire) in fires.enumerated() {
            let r = roundOf[fire.name].map { $0 + 1 } ?? 0
            roundOf[fire.name] = r
            if rounds.count <= r { rounds.append([]) }
            rounds[r].append(i)
        }
        return rounds
    }
}
