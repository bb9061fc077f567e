import Benchmark
import Foundation
import Steward
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

    // 10,000 schedules, each firing once a minute at its own second, on a SQLite store; one
    // iteration is one scheduler pass over a minute's worth of fires (10,000 jobs enqueued).
    Benchmark(
        "scheduler pass: 10,000 schedules, one minute of fires",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("b.db").path)
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
        try await store.close()
    }
}
