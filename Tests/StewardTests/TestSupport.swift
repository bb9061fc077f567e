import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Steward
import StewardSQLite
import Synchronization
import Testing

/// Runs a worker (and optionally maintenance) against a store while `body` runs, then shuts it
/// down gracefully.
func withWorker(
    store: any StewardStore,
    registry: JobRegistry,
    queues: [QueueConfiguration],
    configuration: WorkerConfiguration = WorkerConfiguration(pollInterval: .milliseconds(200)),
    maintenance: Maintenance.Configuration? = nil,
    clock: any StewardClock = SystemClock(),
    _ body: (Worker) async throws -> Void
) async throws {
    var logger = Logger(label: "steward.test")
    logger.logLevel = .critical
    let worker = Worker(
        store: store, registry: registry, queues: queues, configuration: configuration, clock: clock, logger: logger)
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: worker)]
    if let maintenance {
        services.append(.init(service: Maintenance(store: store, configuration: maintenance, logger: logger)))
    }
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
    let running = Task { try await group.run() }
    do {
        try await body(worker)
    } catch {
        await group.triggerGracefulShutdown()
        _ = await running.result
        throw error
    }
    await group.triggerGracefulShutdown()
    try await running.value
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// A counter shared with handlers.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
    let peak = Atomic<Int>(0)

    @discardableResult
    func increment() -> Int {
        let n = value.add(1, ordering: .relaxed).newValue
        var seen = peak.load(ordering: .relaxed)
        while n > seen {
            let (exchanged, original) = peak.compareExchange(expected: seen, desired: n, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
        return n
    }

    func decrement() { value.subtract(1, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
    var maximum: Int { peak.load(ordering: .relaxed) }
}

/// Timestamps shared with handlers.
final class Timestamps: Sendable {
    private let values = Mutex<[ContinuousClock.Instant]>([])
    func record() { values.withLock { $0.append(.now) } }
    var all: [ContinuousClock.Instant] { values.withLock { $0 } }
}

/// Strings shared with handlers / middleware, in arrival order.
final class Log: Sendable {
    private let values = Mutex<[String]>([])
    func append(_ s: String) { values.withLock { $0.append(s) } }
    var all: [String] { values.withLock { $0 } }
}

/// Serves `router` on a free loopback port while `body` runs with its base URL.
func withLocalServer(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Void) async throws {
    let port = Mutex<Int?>(nil)
    var logger = Logger(label: "steward.test.server")
    logger.logLevel = .critical
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
    let task = Task { try await app.runService() }
    defer { task.cancel() }
    #expect(await eventually { port.withLock { $0 } != nil })
    try await body("http://127.0.0.1:\(port.withLock { $0 }!)")
}
