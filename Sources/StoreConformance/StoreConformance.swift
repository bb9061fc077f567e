import Foundation
public import Steward
public import Testing

/// One behaviour every `JobStore` must show, run against a fresh, migrated store.
public struct ConformanceCase: Sendable, CustomTestStringConvertible {
    /// What the case shows.
    public let name: String
    let body: @Sendable (any StewardStore, ManualClock) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (any StewardStore, ManualClock) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var testDescription: String { name }

    /// Runs the case on a store from `makeStore` (which must return an empty store), then closes it.
    public func run(makeStore: @Sendable () async throws -> any StewardStore) async throws {
        let store = try await makeStore()
        try await store.migrate()
        try await store.migrate()  // migrating twice is a no-op
        let clock = ManualClock()
        do {
            try await body(store, clock)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

/// The behavioural suite every store passes (see `ConformanceCase`).
///
/// Use it from a test target with a parameterised test:
/// ```swift
/// @Test(arguments: StoreConformance.cases)
/// func conformance(_ c: ConformanceCase) async throws { try await c.run { try makeStore() } }
/// ```
public enum StoreConformance {
    static let owner = "worker-a"
    static let other = "worker-b"
    static let lease: Double = 30

    static func enqueue(_ store: any StewardStore, _ clock: ManualClock, _ jobs: [NewJob]) async throws -> [JobID] {
        try await store.enqueue(jobs, now: clock.now()).map(\.id)
    }

    static func claim(
        _ store: any StewardStore, _ clock: ManualClock, queue: String = "default", names: [String]? = nil, limit: Int = 10,
        owner: String = owner
    ) async throws -> [ClaimedJob] {
        try await store.claim(
            queue: queue, names: names, limit: limit, owner: owner, leaseUntil: clock.now().addingTimeInterval(lease), now: clock.now())
    }

    static func outcome(_ job: ClaimedJob, _ kind: JobOutcome.Kind, owner: String = owner) -> JobOutcome {
        JobOutcome(id: job.record.id, owner: owner, startedAt: job.record.startedAt ?? Date(), kind: kind)
    }

    static func state(_ store: any StewardStore, _ clock: ManualClock, _ id: JobID) async throws -> JobState? {
        try await store.job(id, now: clock.now())?.state
    }

    static let boom = JobErrorInfo(type: "Boom", message: "it broke", attempt: 1)

    /// Waits until `stream` yields `queue`, at most `timeout`; returns whether it did.
    public static func waitForWakeup(_ stream: AsyncStream<String>, queue: String, timeout: Duration) async -> Bool {
        await waitFor(stream, timeout: timeout) { $0 == queue }
    }

    /// Waits until `stream` yields anything, at most `timeout`; returns whether it did.
    public static func waitForAny(_ stream: AsyncStream<String>, timeout: Duration) async -> Bool {
        await waitFor(stream, timeout: timeout) { _ in true }
    }

    /// Waits until `stream` yields an element matching `predicate`, at most `timeout`.
    static func waitFor(
        _ stream: AsyncStream<String>, timeout: Duration, _ predicate: @escaping @Sendable (String) -> Bool
    ) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await name in stream where predicate(name) { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Every case.
    public static let cases: [ConformanceCase] = basics + leases + failures + control + queries + schedules + concurrency + admin + events + dependencies + workflows + pipelines + durable + workers + activity
}
