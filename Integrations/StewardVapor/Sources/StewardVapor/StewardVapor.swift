import Logging
import ServiceLifecycle
import Steward
import Synchronization
import Vapor

extension Application {
    /// Steward in this application: the client its routes use, and the workers it runs.
    ///
    /// ```swift
    /// let store = try StoreFactory.open("sqlite:./app.db")
    /// try await store.migrate()
    /// app.steward.client = StewardClient(store: store)
    /// app.steward.run([Worker(store: store, registry: registry, queues: queues), Maintenance(store: store)])
    /// app.post("reports") { req in try await req.steward.enqueue(report, queue: "reports") ... }
    /// ```
    public var steward: StewardIntegration { StewardIntegration(application: self) }
}

extension Request {
    /// The application's Steward client (``StewardIntegration/client``).
    public var steward: StewardClient { application.steward.client }
}

/// Steward's place in a Vapor `Application`: `app.steward`.
public struct StewardIntegration: Sendable {
    let application: Application

    struct ClientKey: StorageKey {
        typealias Value = StewardClient
    }

    /// The client routes enqueue with and read jobs through (`req.steward`). Set it once in
    /// `configure(_:)`; reading it before is a programming error, said as such.
    public var client: StewardClient {
        get {
            guard let client = application.storage[ClientKey.self] else {
                fatalError("app.steward.client is not set: set it in configure(_:), e.g. app.steward.client = StewardClient(store: store)")
            }
            return client
        }
        nonmutating set { application.storage[ClientKey.self] = newValue }
    }

    /// Runs `services` (a ``Worker``, ``Maintenance``, a ``Scheduler``…) for as long as the
    /// application runs: started once it has booted, and at its shutdown asked to stop gracefully
    /// (a worker finishes the jobs it holds) and waited for. Vapor handles the signals; a
    /// service that fails is logged and does not stop the application's routes.
    public func run(_ services: [any Service]) {
        application.lifecycle.use(StewardServices(services: services, logger: application.logger))
    }
}

/// The lifecycle handler behind ``StewardIntegration/run(_:)``: one `ServiceGroup` of its own,
/// without signal handlers (the application's).
final class StewardServices: LifecycleHandler {
    let services: [any Service]
    let logger: Logger
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)

    init(services: [any Service], logger: Logger) {
        self.services = services
        self.logger = logger
    }

    func didBootAsync(_ application: Application) async throws {
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], logger: logger)
        let logger = self.logger
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("Steward's services stopped", metadata: ["error": "\(error)"])
            }
        }
        running.withLock { $0 = (group, task) }
    }

    func shutdownAsync(_ application: Application) async {
        guard let (group, task) = running.withLock({ current in defer { current = nil }; return current }) else { return }
        await group.triggerGracefulShutdown()
        await task.value
    }
}
