import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardStores

/// `example-worker [--store URL] [--queues a,b] [--concurrency N]`: runs the example handlers
/// until SIGINT or SIGTERM (which drain gracefully). The store is the one every `steward` command
/// uses: `--store`, else `$STEWARD_STORE`, else `sqlite:./steward.db`.
@main
struct ExampleWorker {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var store = ProcessInfo.processInfo.environment["STEWARD_STORE"] ?? "sqlite:./steward.db"
        var queues = ["default"]
        var concurrency = 8
        while let flag = arguments.popFirst() {
            guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
            switch flag {
            case "--store": store = value
            case "--queues": queues = value.split(separator: ",").map(String.init)
            case "--concurrency":
                guard let n = Int(value), n > 0 else { fail("--concurrency: '\(value)' is not a positive whole number") }
                concurrency = n
            default: fail("unknown option '\(flag)' (expected --store, --queues or --concurrency)")
            }
        }
        let logger = Logger(label: "example-worker")
        let jobStore = try StoreFactory.open(store)
        try await jobStore.migrate()
        let registry = JobRegistry()
        ExampleJobs.register(in: registry)
        let worker = Worker(
            store: jobStore, registry: registry,
            queues: queues.map { QueueConfiguration(name: $0, concurrency: concurrency) }, logger: logger)
        logger.info(
            "example worker started",
            metadata: ["store": "\(StoreURL.redacted(store))", "queues": "\(queues.joined(separator: ","))",
                       "jobs": "\(registry.names.joined(separator: ","))"])
        let group = ServiceGroup(
            services: [worker, Maintenance(store: jobStore)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        exit(64)
    }
}
