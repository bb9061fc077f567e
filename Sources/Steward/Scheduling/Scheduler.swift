import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Fires stored schedules. Many processes may run one; only the holder of the store's
/// `steward.scheduler` lease fires, and each firing is applied only if the stored next fire is
/// the one it was computed from, with a unique key per (schedule, instant): a hand-over never
/// fires an instant twice.
public final class Scheduler: Service, Sendable {
    /// Scheduler settings.
    public struct Configuration: Sendable {
        /// The lease's time to live: a stopped leader is replaced within this long (a leader
        /// that shuts down gracefully hands over at once).
        public var leaseTTL: Duration
        /// The longest sleep between passes (also how soon a schedule added by another process
        /// or resumed from the CLI is noticed).
        public var maxSleep: Duration
        /// Most firings applied per transaction.
        public var batchSize: Int
        /// The lease owner name.
        public var owner: String

        /// Creates scheduler settings.
        public init(
            leaseTTL: Duration = .seconds(10), maxSleep: Duration = .seconds(1), batchSize: Int = 500,
            owner: String = ProcessIdentity.owner()
        ) {
            self.leaseTTL = leaseTTL
            self.maxSleep = maxSleep
            self.batchSize = batchSize
            self.owner = owner
        }
    }

    /// What one pass did.
    public struct PassReport: Sendable, Equatable {
        /// Whether this process held the lease.
        public var leader: Bool
        /// Jobs enqueued.
        public var enqueued: Int
        /// Firings skipped because the previous run was still live.
        public var skippedExclusive: Int
        /// Instants dropped by misfire policies.
        public var missed: Int
        /// Firings another scheduler applied first.
        public var stale: Int
        /// The earliest next fire among unpaused schedules seen (to sleep until).
        public var nextFireAt: Date?
    }

    /// The lease name every scheduler competes for.
    public static let leaseName = "steward.scheduler"

    let store: any ScheduleStore
    let definitions: [Schedule]
    let configuration: Configuration
    let clock: any StewardClock
    let logger: Logger

    /// Creates a scheduler that registers `schedules` when it starts (new ones are stored,
    /// changed ones updated; schedules stored by other processes fire too).
    public init(
        store: any ScheduleStore, schedules: [Schedule] = [], configuration: Configuration = Configuration(),
        clock: any StewardClock = SystemClock(), logger: Logger = Logger(label: "steward.scheduler")
    ) throws {
        var seen = Set<String>()
        for s in schedules {
            try s.validate()
            guard seen.insert(s.name).inserted else {
                throw StewardError.invalidArgument(field: "schedules", message: "schedule '\(s.name)': registered twice")
            }
        }
        self.store = store
        self.definitions = schedules
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Stores new definitions and updates changed ones (their next fire is recomputed from now;
    /// pause state and counters are kept). Returns the names written.
    @discardableResult
    public func register() async throws -> [String] {
        let now = clock.now()
        let stored = Dictionary(uniqueKeysWithValues: try await store.schedules().map { ($0.name, $0) })
        var records: [ScheduleRecord] = []
        for s in definitions {
            if let existing = stored[s.name] {
                guard existing.schedule != s else { continue }
                var r = existing
                r.schedule = s
                r.nextFireAt = s.firstFire(now: now, createdAt: existing.createdAt)
                r.updatedAt = now
                records.append(r)
            } else {
                records.append(
                    ScheduleRecord(schedule: s, nextFireAt: s.firstFire(now: now, createdAt: now), createdAt: now, updatedAt: now))
            }
        }
        try await store.saveSchedules(records)
        return records.map(\.name)
    }

    /// One pass: take or renew the lease and, as leader, apply every due firing.
    @discardableResult
    public func runPass() async throws -> PassReport {
        var report = PassReport(leader: false, enqueued: 0, skippedExclusive: 0, missed: 0, stale: 0, nextFireAt: nil)
        guard
            try await store.acquireLease(
                name: Self.leaseName, owner: configuration.owner, ttl: configuration.leaseTTL, now: clock.now())
        else { return report }
        report.leader = true
        while true {
            // One read serves both: what is due now, and the next fire to sleep until.
            let now = clock.now()
            let upcoming = try await store.dueSchedules(
                now: now.addingTimeInterval(configuration.maxSleep.seconds), limit: configuration.batchSize)
            let due = upcoming.filter { ($0.nextFireAt ?? .distantFuture) <= now }
            report.nextFireAt = upcoming.first { ($0.nextFireAt ?? .distantFuture) > now }?.nextFireAt
            guard !due.isEmpty else { break }
            let fires = due.map { Self.plan($0, now: now) }
            let results = try await store.recordScheduleFires(fires, now: now)
            for (fire, result) in zip(fires, results) {
                switch result {
                case .fired(let jobs):
                    report.enqueued += jobs.filter { !$0.duplicate }.count
                    for job in jobs where !job.duplicate {
                        logger.info("schedule fired", metadata: ["schedule": "\(fire.name)", "job.id": "\(job.id)"])
                    }
                    report.missed += fire.missed
                    if fire.missed > 0 {
                        logger.warning(
                            "schedule missed fire instants", metadata: ["schedule": "\(fire.name)", "missed": "\(fire.missed)"])
                    }
                case .skippedExclusive(let running):
                    report.skippedExclusive += 1
                    report.missed += fire.missed  // the store counts them on a skip too
                    logger.info(
                        "schedule skipped: previous run still live",
                        metadata: ["schedule": "\(fire.name)", "running_job": "\(running)"])
                case .stale:
                    report.stale += 1
                }
            }
            // The firings moved their schedules' next fires, possibly before the read's earliest.
            for (fire, result) in zip(fires, results) where result != .stale {
                if let next = fire.nextFireAt, next < report.nextFireAt ?? .distantFuture { report.nextFireAt = next }
            }
            // A full batch may hide more due schedules: read again.
            if upcoming.count < configuration.batchSize { break }
        }
        if report.enqueued > 0 { Counter(label: "steward_schedule_fires_total").increment(by: report.enqueued) }
        if report.skippedExclusive > 0 { Counter(label: "steward_scheduler_skipped_total").increment(by: report.skippedExclusive) }
        if report.missed > 0 { Counter(label: "steward_scheduler_missed_total").increment(by: report.missed) }
        return report
    }

    /// The firing of a due schedule at `now`, following its misfire policy: instants later than
    /// the grace time are missed; `coalesce` runs one job for them, `skip` none, `catchUp(max:)`
    /// the latest `max`. On-time instants each run. An exclusive schedule runs at most one.
    package static func plan(_ record: ScheduleRecord, now: Date) -> ScheduleFire {
        let s = record.schedule
        var due: [Date] = []
        var next = record.nextFireAt
        var overflow = 0
        while let t = next, t <= now {
            if due.count < 10_000 {
                due.append(t)
                next = s.nextFire(after: t, createdAt: record.createdAt)
            } else {
                // Down for very long on a short interval: do not walk every instant.
                overflow = 1
                next = s.nextFire(after: now, createdAt: record.createdAt)
            }
        }
        let grace = s.misfireGraceSeconds
        let onTime = due.filter { now.timeIntervalSince($0) <= grace }
        let late = due.filter { now.timeIntervalSince($0) > grace }
        var run: [(instant: Date, late: Bool)] = onTime.map { ($0, false) }
        switch s.misfire {
        case .coalesce: if let last = late.last { run.insert((last, true), at: 0) }
        case .skip: break
        case .catchUp(let max): run.insert(contentsOf: late.suffix(max).map { ($0, true) }, at: 0)
        }
        if s.exclusive, let last = run.last { run = [last] }
        let missed = due.count + overflow - run.count
        let jobs = run.map { instant, late in
            let jitter = s.jitter()
            return s.job.newJob(
                runAt: late ? nil : (jitter > 0 ? instant.addingTimeInterval(jitter) : nil),
                metadata: ["schedule": s.name, "fire_at": instant.iso8601(in: TimeZone(identifier: "UTC")!)],
                uniqueKey: uniqueKey(s.name, instant))
        }
        return ScheduleFire(
            name: s.name, expectedNextFireAt: record.nextFireAt, nextFireAt: next, jobs: jobs, firedAt: run.last?.instant,
            missed: missed, exclusive: s.exclusive)
    }

    /// The unique key of one schedule instant: a second enqueue of it returns the first job.
    public static func uniqueKey(_ schedule: String, _ instant: Date) -> String {
        "steward.schedule:\(schedule):\(Int64(instant.timeIntervalSince1970.rounded(.down)))"
    }

    /// Registers the definitions, then fires until graceful shutdown and hands the lease over.
    /// A store that is unavailable is retried (registration included); it never stops the process.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var wasLeader = false
            var registered = false
            while !Task.isCancelled {
                var sleep = self.configuration.maxSleep
                do {
                    if !registered {
                        try await self.register()
                        registered = true
                    }
                    let report = try await self.runPass()
                    if report.leader != wasLeader {
                        self.logger.info(report.leader ? "became the active scheduler" : "no longer the active scheduler")
                        wasLeader = report.leader
                    }
                    if report.leader, let next = report.nextFireAt {
                        sleep = min(sleep, .seconds(double: max(0.001, next.timeIntervalSince(self.clock.now()))))
                    } else if !report.leader {
                        sleep = min(self.configuration.leaseTTL / 3, .seconds(1))
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("scheduler pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: sleep)
            }
        }
        await store.releaseLeaseOnShutdown(name: Self.leaseName, owner: configuration.owner)
    }
}

extension Schedule {
    /// The first fire of a newly stored or changed definition: a one-off keeps its instant even
    /// if it has passed (the misfire policy decides), others fire strictly after `now`.
    func firstFire(now: Date, createdAt: Date) -> Date? {
        if case .once(let at) = trigger { return at }
        return nextFire(after: now, createdAt: createdAt)
    }
}
