import Foundation
import Synchronization

/// A queue's rate limit: on average `perSecond` job starts, with bursts of up to `burst`.
public struct RateLimit: Sendable, Equatable, Codable {
    /// Sustained job starts per second.
    public var perSecond: Double
    /// How many starts may happen at once after an idle period (the bucket's size).
    public var burst: Int

    /// Creates a rate limit; `burst` defaults to one second's worth (at least 1).
    public init(perSecond: Double, burst: Int? = nil) {
        self.perSecond = perSecond
        self.burst = burst ?? Swift.max(1, Int(perSecond.rounded(.up)))
    }
}

/// A token bucket: `take` hands out up to as many tokens as are available now.
public final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var updatedAt: Date
    }

    /// The limit this bucket enforces.
    public let limit: RateLimit
    private let state: Mutex<State>

    /// Creates a full bucket at `now`.
    public init(_ limit: RateLimit, now: Date) {
        self.limit = limit
        state = Mutex(State(tokens: Double(limit.burst), updatedAt: now))
    }

    private func refill(_ s: inout State, now: Date) {
        let elapsed = now.timeIntervalSince(s.updatedAt)
        if elapsed > 0 {
            s.tokens = Swift.min(Double(limit.burst), s.tokens + elapsed * limit.perSecond)
            s.updatedAt = now
        }
    }

    /// Takes up to `wanted` whole tokens and returns how many were taken.
    public func take(upTo wanted: Int, now: Date) -> Int {
        state.withLock { s in
            refill(&s, now: now)
            let n = Swift.min(wanted, Int(s.tokens.rounded(.down)))
            s.tokens -= Double(Swift.max(0, n))
            return Swift.max(0, n)
        }
    }

    /// Returns tokens that were taken but not used (fewer jobs were claimed than allowed).
    public func giveBack(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { s in s.tokens = Swift.min(Double(limit.burst), s.tokens + Double(count)) }
    }

    /// How long until at least one token is available.
    public func waitTime(now: Date) -> Duration {
        state.withLock { s in
            refill(&s, now: now)
            if s.tokens >= 1 { return .zero }
            return .seconds(double: (1 - s.tokens) / limit.perSecond)
        }
    }
}
