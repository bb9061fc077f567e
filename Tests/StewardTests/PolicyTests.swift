import Foundation
import Steward
import Testing

@Suite("Retry policies")
struct RetryPolicyTests {
    @Test(
        "base delays per attempt",
        arguments: [
            (RetryPolicy.exponential(initial: .seconds(1), max: .seconds(10), multiplier: 2, jitter: 0), [1.0, 2, 4, 8, 10, 10]),
            (RetryPolicy.exponential(initial: .milliseconds(500), max: .seconds(600), multiplier: 3, jitter: 0), [0.5, 1.5, 4.5, 13.5, 40.5, 121.5]),
            (RetryPolicy.linear(initial: .seconds(2), step: .seconds(3), max: .seconds(12)), [2.0, 5, 8, 11, 12, 12]),
            (RetryPolicy.fixed(delay: .seconds(7)), [7.0, 7, 7, 7, 7, 7]),
        ])
    func baseDelays(policy: RetryPolicy, expected: [Double]) {
        let delays = (1...6).map { policy.baseDelay(afterAttempt: $0) }
        for (d, e) in zip(delays, expected) { #expect(abs(d - e) < 1e-9) }
    }

    @Test("jitter stays within ±jitter of the base delay and never above the cap")
    func jitterBounds() {
        let policy = RetryPolicy.exponential(initial: .seconds(10), max: .seconds(25), multiplier: 2, jitter: 0.3)
        var rng = SystemRandomNumberGenerator()
        var seen = Set<Int>()
        for attempt in 1...3 {
            let base = policy.baseDelay(afterAttempt: attempt)
            for _ in 0..<500 {
                let d = policy.delay(afterAttempt: attempt, using: &rng).seconds
                #expect(d >= base * 0.7 - 1e-9)
                #expect(d <= min(25, base * 1.3) + 1e-9)
                seen.insert(Int(d * 10))
            }
        }
        #expect(seen.count > 20, "jitter should spread delays")
    }

    @Test("retry is allowed while attempts remain and, with retryOn, only for named errors")
    func allowsRetry() {
        let any = RetryPolicy.fixed(maxAttempts: 3)
        #expect(any.allowsRetry(errorType: "X", attempt: 1, maxAttempts: 3))
        #expect(any.allowsRetry(errorType: "X", attempt: 2, maxAttempts: 3))
        #expect(!any.allowsRetry(errorType: "X", attempt: 3, maxAttempts: 3))
        let named = any.retrying(only: ["URLError", "Timeout"])
        #expect(named.allowsRetry(errorType: "Timeout", attempt: 1, maxAttempts: 3))
        #expect(!named.allowsRetry(errorType: "DecodingError", attempt: 1, maxAttempts: 3))
    }

    @Test("invalid policies name the field")
    func validation() {
        #expect(throws: StewardError.invalidArgument(field: "retry.maxAttempts", message: "retry.maxAttempts: must be between 1 and 2147483647, got 0")) {
            try RetryPolicy.fixed(maxAttempts: 0).validate()
        }
        #expect(throws: StewardError.invalidArgument(field: "retry.jitter", message: "retry.jitter: must be within 0...1, got 2.0")) {
            try RetryPolicy.exponential(jitter: 2).validate()
        }
    }

    @Test("a policy survives a JSON round trip (it is stored with jobs)")
    func codable() throws {
        let p = RetryPolicy.linear(maxAttempts: 4, initial: .seconds(1), step: .seconds(2), jitter: 0.1, retryOn: ["A"])
        #expect(try JSONCoding.decode(RetryPolicy.self, from: JSONCoding.encode(p)) == p)
    }
}

@Suite("Token bucket")
struct TokenBucketTests {
    @Test("hands out the burst at once, then refills at the rate")
    func refill() {
        let t0 = Date(timeIntervalSince1970: 1000)
        let bucket = TokenBucket(RateLimit(perSecond: 10, burst: 5), now: t0)
        #expect(bucket.take(upTo: 8, now: t0) == 5)
        #expect(bucket.take(upTo: 1, now: t0) == 0)
        #expect(abs(bucket.waitTime(now: t0).seconds - 0.1) < 1e-9)
        #expect(bucket.take(upTo: 8, now: t0.addingTimeInterval(0.35)) == 3)
        #expect(bucket.take(upTo: 8, now: t0.addingTimeInterval(100)) == 5)  // never above the burst
        bucket.giveBack(2)
        #expect(bucket.take(upTo: 8, now: t0.addingTimeInterval(100)) == 2)
    }

    @Test("the default burst is one second's worth")
    func defaultBurst() {
        #expect(RateLimit(perSecond: 20).burst == 20)
        #expect(RateLimit(perSecond: 0.5).burst == 1)
    }
}

@Suite("Durations")
struct DurationParserTests {
    @Test(
        "parses human durations",
        arguments: [("30", 30.0), ("1.5", 1.5), ("250ms", 0.25), ("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2d", 172_800)])
    func parses(text: String, seconds: Double) throws {
        #expect(abs(try DurationParser.parse(text).seconds - seconds) < 1e-9)
    }

    @Test("rejects malformed input with the field and value named", arguments: ["", "abc", "5x", "-3s", "1..2s", "m5"])
    func rejects(text: String) {
        #expect {
            try DurationParser.parse(text, field: "--delay")
        } throws: { "\($0)".hasPrefix("--delay: ") && "\($0)".contains("'\(text)'") }
    }

    @Test(
        "refuses values that once trapped: not finite, negative, beyond 100 years",
        arguments: [("inf", "not a finite"), ("-inf", "not a finite"), ("1e10", "longer than the maximum"), ("-5", "not a finite, non-negative"), ("36526d", "longer than the maximum")])
    func rejectsOutOfRange(text: String, message: String) {
        #expect {
            try DurationParser.parse(text, field: "--delay")
        } throws: { "\($0)".contains("--delay: '\(text)' is \(message)") }
    }

    @Test("a computed duration saturates instead of trapping", arguments: [Double.nan, .infinity, -.infinity, 1e300, -1e300, 1e12])
    func saturates(seconds: Double) {
        let d = Duration.seconds(double: seconds)
        #expect(d.seconds.isFinite)
        #expect(abs(d.seconds) <= 9.3e9)
    }
}

@Suite("Wake signal")
struct WakeSignalTests {
    @Test("a notify before the wait is latched; a wait without notify times out")
    func latchAndTimeout() async {
        let signal = WakeSignal()
        signal.notify()
        let start = ContinuousClock.now
        await signal.wait(timeout: .seconds(5))
        #expect(ContinuousClock.now - start < .seconds(1))
        let t1 = ContinuousClock.now
        await signal.wait(timeout: .milliseconds(50))
        let waited = ContinuousClock.now - t1
        #expect(waited >= .milliseconds(45))
        // Only that the timeout ends the wait: the parallel phase on 2 cores once took 2.3 s.
        #expect(waited < .seconds(10))
    }

    @Test("notify wakes a waiter promptly")
    func wakes() async {
        let signal = WakeSignal()
        let waiter = Task {
            let t = ContinuousClock.now
            await signal.wait(timeout: .seconds(10))
            return ContinuousClock.now - t
        }
        try? await Task.sleep(for: .milliseconds(50))
        signal.notify()
        #expect(await waiter.value < .seconds(2))
    }
}
