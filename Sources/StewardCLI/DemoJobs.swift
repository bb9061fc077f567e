import Foundation
import Steward

/// A data-pipeline step: aggregates a batch of generated sensor readings.
struct DemoPipelineStep: Job {
    static let name = "demo.pipeline-step"
    static let queue = "demo"
    var batch: Int
    var rows: Int

    struct Summary: Codable, Sendable {
        var batch: Int
        var rows: Int
        var mean: Double
        var max: Double
    }

    func run(context: JobContext) async throws -> Summary {
        var rng = SplitMix64(seed: UInt64(batch))
        var sum = 0.0
        var maximum = -Double.infinity
        for _ in 0..<rows {
            let v = Double(rng.next() % 10_000) / 100
            sum += v
            maximum = Swift.max(maximum, v)
        }
        try await Task.sleep(for: .milliseconds(5 + Int(rng.next() % 20)))  // the "write" to a warehouse
        return Summary(batch: batch, rows: rows, mean: (sum / Double(rows) * 100).rounded() / 100, max: maximum)
    }
}

/// Fails with a transient error on its first two attempts, succeeds on the third.
struct DemoFlaky: Job {
    static let name = "demo.flaky"
    static let queue = "demo"
    var endpoint: String

    struct TransientUpstreamError: Error, CustomStringConvertible {
        var attempt: Int
        var description: String { "upstream answered 503 on attempt \(attempt)" }
    }

    func run(context: JobContext) async throws -> String {
        if context.attempt < 3 { throw TransientUpstreamError(attempt: context.attempt) }
        return "fetched \(endpoint) on attempt \(context.attempt)"
    }
}

/// A slow report that tells how far it got.
struct DemoSlowReport: Job {
    static let name = "demo.slow-report"
    static let queue = "demo"
    var title: String
    var steps: Int

    func run(context: JobContext) async throws -> String {
        for step in 1...steps {
            try await Task.sleep(for: .milliseconds(150))
            context.reportProgress(step: step, of: steps, message: "rendering \(title)")
        }
        return "\(title): \(steps) sections"
    }
}

/// Always declined: ends in the dead-letter queue after its attempts.
struct DemoDoomed: Job {
    static let name = "demo.charge-card"
    static let queue = "demo"
    var account: String

    struct CardDeclined: Error, CustomStringConvertible {
        var account: String
        var description: String { "card of \(account) declined" }
    }

    func run(context: JobContext) async throws {
        throw CardDeclined(account: account)
    }
}

/// A small deterministic generator, so demo and bench data are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
