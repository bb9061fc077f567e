import Foundation
import Logging
import ServiceLifecycle

/// Singleton duties: returning jobs whose lease expired (dead workers) and purging finished jobs
/// past their retention. Many processes may run it; only the holder of the store's
/// `steward.maintenance` lease acts, so the work is done once.
public final class Maintenance: Service, Sendable {
    /// Settings for the maintenance duties.
    public struct Configuration: Sendable {
        /// How often expired leases are looked for.
        public var rescueInterval: Duration
        /// How long finished jobs (results, errors, history) are kept.
        public var retention: Duration
        /// How often finished jobs past retention are purged.
        public var purgeInterval: Duration
        /// The owner name used for the maintenance lease.
        public var owner: String

        /// Creates maintenance settings.
        public init(
            rescueInterval: Duration = .seconds(5), retention: Duration = .seconds(24 * 3600),
            purgeInterval: Duration = .seconds(60), owner: String = ProcessIdentity.owner()
        ) {
            self.rescueInterval = rescueInterval
            self.retention = retention
            self.purgeInterval = purgeInterval
            self.owner = owner
        }
    }

    /// The lease name every process competes for.
    public static let leaseName = "steward.maintenance"

    let store: any JobStore
    let configuration: Configuration
    let clock: any StewardClock
    let logger: Logger

    /// Creates the maintenance service.
    public init(
        store: any JobStore, configuration: Configuration = Configuration(), clock: any StewardClock = SystemClock(),
        logger: Logger = Logger(label: "steward.maintenance")
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// One pass: rescue, and purge when `purge` is true. Returns whether this process held the lease.
    @discardableResult
    public func runOnce(purge: Bool) async throws -> Bool {
        let ttl = configuration.rescueInterval * 3
        guard
            try await store.acquireLease(
                name: Self.leaseName, owner: configuration.owner, ttl: ttl, now: clock.now())
        else { return false }
        let report = try await store.rescueExpiredLeases(now: clock.now())
        if !report.requeued.isEmpty || !report.deadLettered.isEmpty {
            logger.warning(
                "rescued jobs whose worker stopped heartbeating",
                metadata: [
                    "requeued": "\(report.requeued.count)", "dead_lettered": "\(report.deadLettered.count)",
                ])
        }
        let released = try await store.sweepWaitingJobs(now: clock.now())
        if released > 0 {
            logger.warning("released waiting jobs whose parents had all finished", metadata: ["count": "\(released)"])
        }
        if purge {
            let cutoff = clock.now().addingTimeInterval(-configuration.retention.seconds)
            let purged = try await store.purgeFinished(before: cutoff)
            if purged > 0 { logger.info("purged finished jobs past retention", metadata: ["count": "\(purged)"]) }
        }
        return true
    }

    /// Runs the duties until graceful shutdown, then gives up the lease.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPurge = ContinuousClock.now - self.configuration.purgeInterval
            while !Task.isCancelled {
                let purgeDue = ContinuousClock.now - lastPurge >= self.configuration.purgeInterval
                do {
                    if try await self.runOnce(purge: purgeDue), purgeDue { lastPurge = ContinuousClock.now }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("maintenance pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.configuration.rescueInterval)
            }
        }
        await store.releaseLeaseOnShutdown(name: Self.leaseName, owner: configuration.owner)
    }
}
