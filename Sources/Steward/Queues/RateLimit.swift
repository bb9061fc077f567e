import Foundation
import Synchronization

/// A queue's rate limit: on average `perSecond` job starts, with bursts of up to `burst`.
public struct RateLimit: Sendable, Equatable, Codable {
    /// Who shares the limit.
    public enum Scope: String, Sendable, Codable {
        /// Each worker process has its own bucket: N processes start up to N × `perSecond`.
        case worker
        /// One bucket in the store for the queue, shared by every worker of every machine; tokens
        /// are taken in the claim's transaction, so the limit holds however many workers run.
        case global
    }

    /// Sustained job starts per second.
    public var perSecond: Double
    /// How many starts may happen at once after an idle period (the bucket's size).
    public var burst: Int
    /// Whether the limit is per worker process or shared through the store.
    public var scope: Scope

    /// Creates a rate limit; `burst` defaults to one second's worth (at least 1).
    public init(perSecond: Double, burst: Int? = nil, scope: Scope = .worker) {
        self.perSecond = perSecond
        // Bounded before converting: an infinite or NaN rate is refused by `validate`, not trapped here.
        let oneSecond = perSecond.isFinite ? Swift.min(Swift.max(perSecond, 1), Double(Self.maximum)).rounded(.up) : 1
        self.burst = burst ?? Int(oneSecond)
        self.scope = scope
    }

    /// The largest rate (starts per second) and burst accepted.
    public static let maximum = 1_000_000

    /// Throws when the rate is not a finite number in (0, 1,000,000] or the burst is not in
    /// [1, 1,000,000]; the message names the queue and the value.
    public func validate(queue: String) throws {
        guard perSecond.isFinite, perSecond > 0, perSecond <= Double(Self.maximum) else {
            throw StewardError.invalidArgument(
                field: "rateLimit.perSecond", message: "queue '\(queue)' rate limit: perSecond must be a number above 0 and at most \(Self.maximum), got \(perSecond)")
        }
        guard burst >= 1, burst <= Self.maximum else {
            throw StewardError.invalidArgument(
                field: "rateLimit.burst", message: "queue '\(queue)' rate limit: burst must be between 1 and \(Self.maximum), got \(burst)")
        }
    }

    private enum CodingKeys: String, CodingKey { case perSecond, burst, scope }

    /// Decodes a limit; `burst` and `scope` may be left out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            perSecond: try c.decode(Double.self, forKey: .perSecond), burst: try c.decodeIfPresent(Int.self, forKey: .burst),
            scope: try c.decodeIfPresent(Scope.self, forKey: .scope) ?? .worker)
    }

    /// A limit shared by every worker of the queue (see ``Scope/global``).
    public static func global(perSecond: Double, burst: Int? = nil) -> RateLimit {
        RateLimit(perSecond: perSecond, burst: burst, scope: .global)
    }
}

/// The state of a token bucket, as kept in memory by ``TokenBucket`` or in a store's row for a
/// global limit; the refill arithmetic lives only here.
package struct TokenBucketState: Sendable, Equatable {
    /// Tokens available at `updatedAt` (fractional between refills).
    public var tokens: Double
    /// When `tokens` was last brought up to date.
    public var updatedAt: Date

    /// Creates a bucket state.
    public init(tokens: Double, updatedAt: Date) {
        self.tokens = tokens
        self.updatedAt = updatedAt
    }

    /// A full bucket.
    public static func full(_ limit: RateLimit, at now: Date) -> TokenBucketState {
        TokenBucketState(tokens: Double(limit.burst), updatedAt: now)
    }

    /// Adds the tokens earned since `updatedAt`, never above the burst. A `now` earlier than
    /// `updatedAt` (another machine's clock lagging) earns nothing and does not move time back.
    public mutating func refill(_ limit: RateLimit, now: Date) {
        let elapsed = now.timeIntervalSince(updatedAt)
        if elapsed > 0 {
            tokens = Swift.min(Double(limit.burst), tokens + elapsed * limit.perSecond)
            updatedAt = now
        }
        tokens = Swift.min(Double(limit.burst), tokens)
    }

    /// Whole tokens available now, up to `wanted` (after ``refill(_:now:)``).
    public func available(upTo wanted: Int) -> Int {
        Swift.max(0, Swift.min(wanted, Int(tokens.rounded(.down))))
    }

    /// How long until at least one whole token is available.
    public func waitTime(_ limit: RateLimit) -> Duration {
        tokens >= 1 ? .zero : .seconds(double: (1 - tokens) / limit.perSecond)
    }
}

/// A token bucket: `take` hands out up to as many tokens as are available now.
public final class TokenBucket: Sendable {
    /// The limit this bucket enforces.
    public let limit: RateLimit
    private let state: Mutex<TokenBucketState>

    /// Creates a full bucket at `now`.
    public init(_ limit: RateLimit, now: Date) {
        self.limit = limit
        state = Mutex(.full(limit, at: now))
    }

    /// Takes up to `wanted` whole tokens and returns how many were taken.
    public func take(upTo wanted: Int, now: Date) -> Int {
        state.withLock { s in
            s.refill(limit, now: now)
            let n = s.available(upTo: wanted)
            s.tokens -= Double(n)
            return n
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
            s.refill(limit, now: now)
            return s.waitTime(limit)
        }
    }
}
