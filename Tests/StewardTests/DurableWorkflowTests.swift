import Foundation
import Steward
import Synchronization
import Testing

/// The order workflow: a dependency held by the instance, compensation in `do/catch`, a
/// durable sleep, an approval message and a child run.
struct Order: Codable, Sendable {
    var id: String
    var amount: Int
}

struct Approval: Codable, Sendable {
    var by: String
}

struct Receipt: Codable, Sendable, Equatable {
    var order: String
    var approvedBy: String?
    var label: String
}

struct ShipRequest: Codable, Sendable {
    var order: String
}

/// A payments service whose calls are counted (and whose charge can be made to fail).
final class PaymentsClient: Sendable {
    let calls = Mutex<[String]>([])
    let declineAbove: Int
    init(declineAbove: Int = .max) { self.declineAbove = declineAbove }

    func reserve(_ order: Order) -> String {
        calls.withLock { $0.append("reserve") }
        return "hold-\(order.id)"
    }
    func charge(_ hold: String, amount: Int) throws -> String {
        calls.withLock { $0.append("charge") }
        if amount > declineAbove { throw PermanentJobError("card declined") }
        return "paid-\(hold)"
    }
    func release(_ hold: String) -> String {
        calls.withLock { $0.append("release") }
        return "released-\(hold)"
    }
}

struct ShipOrder: DurableWorkflow {
    static let name = "test.ship"
    func run(context: DurableContext, input: ShipRequest) async throws -> String {
        try await context.step("label") { "LBL-\(input.order)" }
    }
}

struct ProcessOrder: DurableWorkflow {
    static let name = "test.orders.process"
    let payments: PaymentsClient
    func run(context: DurableContext, input: Order) async throws -> Receipt {
        let hold = try await context.step("reserve") { payments.reserve(input) }
        do {
            _ = try await context.step("charge") { try payments.charge(hold, amount: input.amount) }
        } catch {
            _ = try await context.step("release") { payments.release(hold) }
            throw error
        }
        try await context.sleep(for: .milliseconds(300))
        let ok = try await context.receive(Approval.self, topic: "approve", timeout: .seconds(3600))
        let label = try await context.child(ShipOrder.self, input: ShipRequest(order: input.id))
        return Receipt(order: input.id, approvedBy: ok?.by, label: label)
    }
}

/// Three steps started at once with `async let`, then a sleep (so each run replays them).
struct ConcurrentSteps: DurableWorkflow {
    static let name = "test.concurrent-steps"
    func run(context: DurableContext, input: Int) async throws -> [String] {
        // Work before its first durable call: on a shared executor, b's task would get there first.
        async let a = { () async throws -> String in
            var x = UInt64(input)
            for i in 0..<300_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
            return try await context.step(x == 42 ? "never" : "a") { "a" }
        }()
        async let b = context.step("b") { "b" }
        async let c = context.step("c") { "c" }
        let got = try await [a, b, c]
        try await context.sleep(for: .milliseconds(5))
        return got
    }
}

/// Sleeps `input` times for a millisecond: each wake-up is a new claim of the same job, moments
/// after the last one ended.
struct ManySleeps: DurableWorkflow {
    static let name = "test.many-sleeps"
    func run(context: DurableContext, input: Int) async throws -> Int {
        for _ in 0..<input { try await context.sleep(for: .milliseconds(1)) }
        return input
    }
}

/// What ``LongStep`` saw.
final class LongStepLog: Sendable {
    let started = Mutex(false)
    let undone = Mutex(0)
}

/// A step that runs up to a minute unless cancelled, and its compensation.
struct LongStep: DurableWorkflow {
    static let name = "test.long-step"
    let log: LongStepLog
    func run(context: DurableContext, input: Int) async throws -> Int {
        do {
            return try await context.step("long") { [log] in
                log.started.withLock { $0 = true }
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        } catch {
            _ = try await context.step("undo") { [log] in log.undone.withLock { $0 += 1; return $0 } }
            throw error
        }
    }
}

@Suite("Durable code workflows on a running worker")
struct DurableWorkflowTests {
    @Test("an order runs through sleep, message and child; its waits hold no worker slot", arguments: StoreKind.enabled)
    func order(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let payments = PaymentsClient()
        let registry = JobRegistry()
        registry.register(ProcessOrder(payments: payments))
        registry.register(ShipOrder())
        let plain = Mutex(0)
        registry.register(name: "test.plain") { _, _ in
            plain.withLock { $0 += 1 }
            return nil
        }
        // One slot: the plain job below can only run while the order waits if the wait holds none.
        try await withWorker(
            store: store, registry: registry, queues: [QueueConfiguration(name: "default", concurrency: 1)],
            configuration: WorkerConfiguration(pollInterval: .seconds(5))
        ) { _ in
            let client = StewardClient(store: store)
            let id = try await client.start(ProcessOrder.self, input: Order(id: "42", amount: 10), id: "order-42")
            // Two steps, a 300 ms sleep and the receive: seconds at most, but it failed its 10 s
            // three times under a loaded machine (never alone); the run's own result waits 20 s.
            #expect(try await eventually(timeout: .seconds(30)) { try await store.durableRun(id)?.waiting?.kind == .message })
            _ = try await client.enqueue([NewJob(queue: "default", name: "test.plain", payload: "{}")])
            #expect(await eventually { plain.withLock { $0 } == 1 })
            try await client.send(Approval(by: "ops"), to: id, topic: "approve")
            let receipt = try await client.result(of: id, as: Receipt.self, timeout: .seconds(20))
            #expect(receipt == Receipt(order: "42", approvedBy: "ops", label: "LBL-42"))
            // Started again with the same id: the same run, nothing runs twice.
            #expect(try await client.start(ProcessOrder.self, input: Order(id: "42", amount: 10), id: "order-42") == id)
        }
        #expect(payments.calls.withLock { $0 } == ["reserve", "charge"])
        #expect(try await store.durableSteps("order-42").map(\.kind) == [.step, .step, .sleep, .receive, .child])
        #expect(try await store.durableRun("order-42-5")?.state == .succeeded)
        try await store.close()
    }

    @Test("a declined charge runs the compensation step and fails the run with the step's error", arguments: StoreKind.enabled)
    func compensation(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let payments = PaymentsClient(declineAbove: 100)
        let registry = JobRegistry()
        registry.register(ProcessOrder(payments: payments))
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "default")]) { _ in
            let client = StewardClient(store: store)
            let id = try await client.start(ProcessOrder.self, input: Order(id: "7", amount: 500))
            let error = await #expect(throws: DurableRunFailed.self) { try await client.result(of: id, as: Receipt.self, timeout: .seconds(20)) }
            #expect(error?.state == .failed)
            #expect(error?.error?.message.contains("card declined") == true, "\(String(describing: error))")
        }
        #expect(payments.calls.withLock { $0 } == ["reserve", "charge", "release"])
        try await store.close()
    }

    @Test("steps started together with async let take their positions in the order the code starts them, on every run and replay", arguments: StoreKind.enabled)
    func concurrentPositions(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(ConcurrentSteps())
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "default", concurrency: 8)]) { _ in
            let client = StewardClient(store: store)
            var ids: [String] = []
            for i in 0..<20 { ids.append(try await client.start(ConcurrentSteps.self, input: i)) }
            for id in ids {
                #expect(try await client.result(of: id, as: [String].self, timeout: .seconds(30)) == ["a", "b", "c"])
                #expect(try await store.durableSteps(id).map(\.name) == ["a", "b", "c", "sleep"])
            }
        }
        try await store.close()
    }

    @Test("a job claimed again at once after it suspended keeps its lease: a heartbeat about the old claim never stops the new one", arguments: StoreKind.enabled)
    func reclaimedAtOnce(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(ManySleeps())
        // A heartbeat every few milliseconds: its lease renewals land between a suspension and
        // the next claim of the same job again and again.
        let configuration = WorkerConfiguration(heartbeatInterval: .milliseconds(3), progressFlushInterval: .milliseconds(1), pollInterval: .milliseconds(200))
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "default", concurrency: 4)], configuration: configuration) { _ in
            let client = StewardClient(store: store)
            var ids: [String] = []
            for _ in 0..<4 { ids.append(try await client.start(ManySleeps.self, input: 40)) }
            for id in ids { #expect(try await client.result(of: id, as: Int.self, timeout: .seconds(20)) == 40) }
        }
        try await store.close()
    }

    @Test("a cancel reaches a step body while it runs, as task cancellation; the compensation step runs and the run ends cancelled", arguments: StoreKind.enabled)
    func cancelRunningStep(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let log = LongStepLog()
        let registry = JobRegistry()
        registry.register(LongStep(log: log))
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "default")]) { _ in
            let client = StewardClient(store: store)
            let id = try await client.start(LongStep.self, input: 0)
            #expect(await eventually { log.started.withLock { $0 } })
            let asked = ContinuousClock.now
            try await client.cancel(run: id)
            let error = await #expect(throws: DurableRunFailed.self) { try await client.result(of: id, as: Int.self, timeout: .seconds(20)) }
            #expect(error?.state == .cancelled)
            #expect(ContinuousClock.now - asked < .seconds(5), "the cancel took \(ContinuousClock.now - asked)")
        }
        #expect(log.undone.withLock { $0 } == 1)
        try await store.close()
    }

    @Test("examples/durable runs as its README says: one order approved and shipped, one declined and compensated", arguments: StoreKind.enabled)
    func example(_ kind: StoreKind) async throws {
        guard let binary = ProcessInfo.processInfo.environment["STEWARD_EXAMPLE_DURABLE"] else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "STEWARD_EXAMPLE_DURABLE is not set (scripts/test sets it)")
            return
        }
        var arguments = ["demo"]
        if kind == .postgres { arguments += ["--store", PostgresTestDatabase.url(schema: "steward_example_durable")] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let status = await exitStatus(of: p, within: .seconds(120))
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status == 0, "\(text)")
        #expect(text.contains("awaiting approval"), "\(text)")
        #expect(text.contains("succeeded, paid pay-hold-A-") && text.contains("approved by ops, label LBL-A-"), "\(text)")
        #expect(text.contains("failed (") && text.contains("card declined for 5000") && text.contains("steps: reserve, charge, release"), "\(text)")
    }
}
