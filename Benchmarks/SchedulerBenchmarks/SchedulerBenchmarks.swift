import Benchmark
import Foundation
import Steward
import StewardPostgres
import StewardSQLite

/// A mix of expressions users write, across zones with and without DST.
let mix: [(expression: String, zone: String)] = [
    ("*/5 * * * *", "UTC"), ("0 9 * * MON-FRI", "America/New_York"), ("30 2 * * *", "Europe/Berlin"),
    ("0 0 L * *", "Asia/Kolkata"), ("0 12 15W * *", "Australia/Lord_Howe"), ("0 8 * * FRI#3", "America/New_York"),
    ("*/10 * 9-17 * * MON-FRI", "Europe/Berlin"), ("@daily", "UTC"), ("0 0 29 2 *", "UTC"), ("15,45 */2 * * *", "UTC"),
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3), maxIterations: 1_000_000)

    let crons = mix.map { (try! CronExpression($0.expression), TimeZone(identifier: $0.zone)!) }
    Benchmark("cron next fire (mix of 10 expressions, 5 zones)") { benchmark in
        var from = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        for i in benchmark.scaledIterations {
            let (cron, zone) = crons[i % crons.count]
            let next = cron.nextFire(after: from, in: zone)!
            blackHole(next)
            from = from.addingTimeInterval(3_607)
        }
    }

    Benchmark("cron parse (mix)") { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(try! CronExpression(mix[i % mix.count].expression))
        }
    }

    // 10,000 schedules, each firing once a minute at its own second; one iteration is one
    // scheduler pass over a minute's worth of fires (10,000 jobs enqueued). On SQLite always; on
    // PostgreSQL too when STEWARD_BENCH_POSTGRES_URL names a database.
    func schedulerPass(_ label: String, makeStore: @escaping @Sendable () async throws -> any StewardStore) {
        Benchmark(
            "scheduler pass: 10,000 schedules, one minute of fires (\(label))",
            configuration: .init(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 10)
        ) { benchmark in
            let store = try await makeStore()
            try await store.migrate()
            let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
            let schedules = try (0..<10_000).map { i in
                try Schedule.cron("s\(i)", "\(i % 60) * * * * *", job: ScheduledJob(name: "noop", queue: "q\(i % 10)"))
            }
            let scheduler = try Scheduler(store: store, schedules: schedules, clock: clock)
            try await scheduler.register()
            for _ in benchmark.scaledIterations {
                clock.advance(by: .seconds(60))
                benchmark.startMeasurement()
                let report = try await scheduler.runPass()
                benchmark.stopMeasurement()
                precondition(report.enqueued == 10_000, "enqueued \(report.enqueued)")
            }
            if let pg = store as? PostgresJobStore { try await pg.destroySchema() }
            try await store.close()
        }
    }

    schedulerPass("SQLite") {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SQLiteJobStore(path: dir.appendingPathComponent("b.db").path)
    }
    if let url = ProcessInfo.processInfo.environment["STEWARD_BENCH_POSTGRES_URL"] {
        schedulerPass("PostgreSQL") {
            let schema = "bench_\(UUID().uuidString.prefix(8).lowercased())"
            return try PostgresJobStore(url: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
        }
    }
}
