import Foundation
import Logging
import ServiceLifecycle
import Steward
import UnixSignals

/// Runs long-lived services the way every `steward` command does: one `ServiceGroup`, graceful
/// shutdown on the first SIGINT/SIGTERM, and an immediate exit on a second one, so an operator is
/// never left with a process that will not stop (jobs it held come back through lease rescue).
enum ServiceRunner {
    /// Runs `services` until they finish or a signal stops them. Services are shut down in reverse
    /// order, so list the one that must stop first (the worker: no new claims) last.
    static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        let forceExit = Task.detached {
            var seen = 0
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                seen += 1
                if seen == 2 {
                    logger.warning("second \(signal): exiting without waiting for running jobs (lease rescue returns them)")
                    exit(signal == .sigint ? 130 : 143)
                }
            }
        }
        defer { forceExit.cancel() }
        try await group.run()
    }
}
