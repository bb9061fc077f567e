import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardStores

/// `durable-orders demo [--store URL]`: a worker and two orders in one process — one approved
/// and shipped, one whose charge is declined and compensated. `durable-orders worker --store URL`
/// runs the workflows for runs started elsewhere (`steward workflow run orders.process …`).
@main
struct DurableOrders {
    static func main() async throws {
        var args = Array(CommandLine.arguments.dropFirst())
        let command = args.isEmpty ? "demo" : args.removeFirst()
        var store = ProcessInfo.processInfo.environment["STEWARD_STORE"]
        if let i = args.firstIndex(of: "--store"), i + 1 < args.count { store = args[i + 1] }
        let url = store ?? "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("durable-orders-\(UUID().uuidString).db").path
        let jobStore = try StoreFactory.open(url)
        try await jobStore.migrate()
        let registry = JobRegistry()
        registry.register(ProcessOrder(payments: PaymentsClient(), pause: .milliseconds(200)))
        registry.register(ShipOrder())
        var logger = Logger(label: "durable-orders")
        logger.logLevel = .warning
        let worker = Worker(store: jobStore, registry: registry, queues: [QueueConfiguration(name: "default")], logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: worker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        switch command {
        case "worker":
            try await group.run()
        case "demo":
            let running = Task { try await group.run() }
            let client = StewardClient(store: jobStore)
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let approved = try await client.start(ProcessOrder.self, input: Order(id: "A-\(suffix)", amount: 120), id: "order-A-\(suffix)")
            let declined = try await client.start(ProcessOrder.self, input: Order(id: "B-\(suffix)", amount: 5_000), id: "order-B-\(suffix)")
            // The approval arrives while the run waits for it (holding no worker meanwhile).
            while try await client.event(of: approved, key: "status", as: String.self) == nil { try await Task.sleep(for: .milliseconds(20)) }
            print("\(approved): \(try await client.event(of: approved, key: "status", as: String.self) ?? "")")
            try await client.send(Approval(by: "ops"), to: approved, topic: "approve")
            let receipt = try await client.result(of: approved, as: Receipt.self, timeout: .seconds(60))
            print("\(approved): succeeded, paid \(receipt.payment), approved by \(receipt.approvedBy ?? "nobody"), label \(receipt.label)")
            do {
                _ = try await client.result(of: declined, as: Receipt.self, timeout: .seconds(60))
                print("\(declined): succeeded (unexpected)")
            } catch let failed as DurableRunFailed {
                let steps = try await jobStore.durableSteps(declined).map(\.name)
                print("\(declined): \(failed.state.rawValue) (\(failed.error?.message ?? "")); steps: \(steps.joined(separator: ", "))")
            }
            await group.triggerGracefulShutdown()
            try await running.value
        default:
            FileHandle.standardError.write(Data("usage: durable-orders [demo|worker] [--store URL]\n".utf8))
            exit(2)
        }
        try await jobStore.close()
    }
}
