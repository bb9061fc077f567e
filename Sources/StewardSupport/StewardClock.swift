import Foundation
import Synchronization

/// The source of "now" for everything Steward decides by time (run-at, leases, backoff, retention).
///
/// Stores never read the system clock: callers pass `now`, so tests can inject a ``ManualClock``
/// and make retry, lease and schedule behaviour instant and exact.
public protocol StewardClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: StewardClock {
    /// Creates the system clock.
    public init() {}
    /// The current instant, from `Date()`.
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to; for tests.
public final class ManualClock: StewardClock {
    private let current: Mutex<Date>

    /// Creates a clock standing at `start`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    /// The instant the clock stands at.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `interval`.
    public func advance(by interval: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(interval.seconds) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// A duration from fractional seconds, saturating instead of trapping: NaN is zero, and
    /// values beyond ±292 years (`Int64` nanoseconds) are clamped to that bound. Values a user
    /// types are checked first (``DurationParser``); this keeps computed ones (a wait of
    /// `1 / rate`, a payload's number) from ever taking the process down.
    public static func seconds(double value: Double) -> Duration {
        let nanos = value * 1e9
        guard !nanos.isNaN else { return .zero }
        guard nanos < 9.2e18 else { return .nanoseconds(Int64.max) }
        guard nanos > -9.2e18 else { return .nanoseconds(Int64.min) }
        return .nanoseconds(Int64(nanos.rounded()))
    }
}
