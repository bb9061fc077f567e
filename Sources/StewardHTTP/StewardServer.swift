import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Steward

/// The HTTP server of `steward serve`: the API on a Hummingbird application, as a service.
public enum StewardServer {
    /// An application serving `api` on `host:port`; `onRunning` gets the bound port (useful with
    /// port 0).
    public static func application(
        api: StewardAPI, host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        Application(
            router: api.router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "steward"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
