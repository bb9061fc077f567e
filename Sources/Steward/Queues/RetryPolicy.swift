import Foundation

/// How often and how soon a failed job is tried again.
///
/// Built with static factories so new strategies can be added without breaking users:
/// `.exponential(maxAttempts: 5)`, `.linear(maxAttempts: 3, initial: .seconds(1), step: .seconds(2))`,
/// `.fixed(maxAttempts: 3, delay: .seconds(10))`, `.noRetries`.
public struct RetryPolicy: Codable, Sendable, Equatable {
    enum Strategy: String, Codable, Sendable {
        case exponential, linear, fixed
    }

    /// Total attempts including the first; 1 means never retry.
    public var maxAttempts: Int
    var strategy: Strategy
    /// First delay (exponential, linear) or the only delay (fixed), seconds.
    var initial: Double
    /// Upper bound on any delay, seconds.
    var maximum: Double
    /// Exponential growth factor.
    var multiplier: Double
    /// Linear increment per attempt, seconds.
    var step: Double
    /// Fraction (0...1) of the delay that is randomised, so retries of many jobs spread out.
    public var jitter: Double
    /// Error type names that may be retried; `nil` retries every error.
    public var retryOn: [String]?

    /// Exponential backoff: `initial * multiplier^(attempt-1)`, capped at `max`, with jitter.
    public static func exponential(
        maxAttempts: Int = 5, initial: Duration = .seconds(1), max: Duration = .seconds(600),
        multiplier: Double = 2, jitter: Double = 0.1, retryOn: [String]? = nil
    ) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: maxAttempts, strategy: .exponential, initial: initial.seconds, maximum: max.seconds,
            multiplier: multiplier, step: 0, jitter: jitter, retryOn: retryOn)
    }

    /// Linear backoff: `initial + step * (attempt-1)`, capped at `max`, with jitter.
    public static func linear(
        maxAttempts: Int = 5, initial: Duration = .seconds(1), step: Duration = .seconds(1),
        max: Duration = .seconds(600), jitter: Double = 0, retryOn: [String]? = nil
    ) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: maxAttempts, strategy: .linear, initial: initial.seconds, maximum: max.seconds,
            multiplier: 1, step: step.seconds, jitter: jitter, retryOn: retryOn)
    }

    /// The same delay before every retry, with jitter.
    public static func fixed(
        maxAttempts: Int = 5, delay: Duration = .seconds(5), jitter: Double = 0, retryOn: [String]? = nil
    ) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: maxAttempts, strategy: .fixed, initial: delay.seconds, maximum: delay.seconds,
            multiplier: 1, step: 0, jitter: jitter, retryOn: retryOn)
    }

    /// One attempt, no retries.
    public static let noRetries = RetryPolicy.fixed(maxAttempts: 1, delay: .zero)

    /// The default: 5 attempts, exponential from 1 s doubling up to 10 minutes, 10 % jitter.
    public static let `default` = RetryPolicy.exponential()

    /// Restricts retries to errors whose type name is in `names` (others go straight to dead letters).
    public func retrying(only names: [String]) -> RetryPolicy {
        var copy = self
        copy.retryOn = names
        return copy
    }

    /// The delay before the attempt after `attempt` (1-based) failed, without jitter.
    public func baseDelay(afterAttempt attempt: Int) -> Double {
        let n = Double(Swift.max(1, attempt) - 1)
        let raw: Double
        switch strategy {
        case .exponential: raw = initial * pow(multiplier, n)
        case .linear: raw = initial + step * n
        case .fixed: raw = initial
        }
        return Swift.min(maximum, Swift.max(0, raw))
    }

    /// The delay before the next attempt, with jitter drawn from `generator`:
    /// uniformly within `base * (1 ± jitter)`, never above `max`.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = baseDelay(afterAttempt: attempt)
        guard jitter > 0, base > 0 else { return .seconds(double: base) }
        let spread = base * jitter
        let value = Double.random(in: (base - spread)...(base + spread), using: &generator)
        return .seconds(double: Swift.min(maximum, Swift.max(0, value)))
    }

    /// Whether an attempt that failed with `error` is the job's last: a permanent error
    /// (``PermanentJobError``, an undecodable payload), an error type the policy does not retry, or
    /// no attempts left. The worker and the workflow engine both decide with this.
    public func isFinal(_ error: any Error, attempt: Int, maxAttempts: Int) -> Bool {
        if error is PermanentJobError || error is PayloadDecodingError { return true }
        return !allowsRetry(errorType: errorTypeName(error), attempt: attempt, maxAttempts: maxAttempts)
    }

    /// Whether an error of type `errorType` raised by attempt `attempt` may be retried.
    public func allowsRetry(errorType: String, attempt: Int, maxAttempts jobMax: Int) -> Bool {
        guard attempt < jobMax else { return false }
        guard let retryOn else { return true }
        return retryOn.contains(errorType)
    }

    /// Checks the numbers; the error names the field and the value.
    public func validate() throws {
        if maxAttempts < 1 || maxAttempts > Int(Int32.max) {
            throw StewardError.invalidArgument(field: "retry.maxAttempts", message: "retry.maxAttempts: must be between 1 and \(Int32.max), got \(maxAttempts)")
        }
        if initial < 0 || maximum < 0 || step < 0 {
            throw StewardError.invalidArgument(field: "retry", message: "retry: delays must not be negative")
        }
        if strategy == .exponential && multiplier < 1 {
            throw StewardError.invalidArgument(field: "retry.multiplier", message: "retry.multiplier: must be at least 1, got \(multiplier)")
        }
        if !(0...1).contains(jitter) {
            throw StewardError.invalidArgument(field: "retry.jitter", message: "retry.jitter: must be within 0...1, got \(jitter)")
        }
    }
}
