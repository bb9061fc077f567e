import Foundation
import Steward
import StewardConfig
import StewardQuality

/// `steward bench quality`: a 4-task monitor (per-sensor tumbling, per-sensor sliding,
/// fleet-wide tumbling, per-sensor sessions) over a generated sensor CSV, end to end: reading and
/// parsing the file, windows and measures, JSON Lines output.
struct QualityBench {
    var events: Int

    func run() async throws -> [String: JSONValue] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-qbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("sensors.csv").path
        try generate(csv)
        let config = """
            sources:
              sensors:
                path: \(csv)
                time: ts
                columns: {sensor_id: string, ts: float, temperature: float?, humidity: float, status: string}
            tasks:
              - name: per_sensor_minute
                source: sensors
                key: sensor_id
                window: {tumbling: 60}
                wait_for_late: 5
                checks:
                  - {name: volume, measure: count, must_be: ">= 50"}
                  - {name: missing_temp, measure: missing_count, column: temperature, must_be: "== 0"}
                  - {name: avg_temp, measure: mean, column: temperature, must_be: "(0, 40)"}
                  - {name: peak_humidity, measure: max, column: humidity}
              - name: per_sensor_sliding
                source: sensors
                key: sensor_id
                window: {sliding: {duration: 300, hop: 60}}
                wait_for_late: 5
                checks:
                  - {name: std_temp, measure: std_dev, column: temperature, must_be: "< 5"}
                  - {name: humidity_ok, measure: range_conformance_fraction, column: humidity, low: 0, high: 100}
              - name: fleet_minute
                source: sensors
                window: {tumbling: 60}
                wait_for_late: 5
                checks:
                  - {name: readings, measure: count}
                  - {name: sensors, measure: distinct_count, column: sensor_id, must_be: ">= 90"}
                  - {name: warn_share, measure: set_conformance_fraction, column: status, allowed: [warn], must_be: "< 0.1"}
              - name: sessions
                source: sensors
                key: sensor_id
                window: {session: {max_gap: 30}}
                checks:
                  - {name: events, measure: count}
                  - {name: mean_temp, measure: mean, column: temperature}
            """
        let parsed = try QualityConfigFile.parse(config, file: "bench.yaml", baseDirectory: dir.path)
        let monitor = try parsed.makeMonitor { task in
            try JSONLFileSink(path: dir.appendingPathComponent("\(task).jsonl").path)
        }
        let start = ContinuousClock.now
        try await monitor.run()
        let seconds = (ContinuousClock.now - start).seconds
        let status = monitor.status()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024  // Linux reports KiB
        return [
            "suite": .string("quality"), "events": .number(Double(events)), "tasks": .number(Double(status.total)),
            "seconds": .number((seconds * 1000).rounded() / 1000),
            "events_per_s": .number((Double(events) / seconds).rounded()),
            "peak_memory_mb": .number((peakMB * 10).rounded() / 10),
            "windows": .number(Double(status.tasks.map(\.windowsEmitted).reduce(0, +))),
            "late_dropped": .number(Double(status.tasks.map(\.lateRecordsDropped).reduce(0, +))),
            "failed_tasks": .number(Double(status.tasks.filter { $0.state == .failed }.count)),
        ]
    }

    /// 100 sensors, each reading about once a second, in event-time order with small jitter
    /// (some events a few seconds out of order), 1 % missing temperatures.
    func generate(_ path: String) throws {
        var rng = SplitMix64(seed: 42)
        var out = "sensor_id,ts,temperature,humidity,status\n"
        out.reserveCapacity(events * 40)
        let t0 = 1_767_225_600.0
        for i in 0..<events {
            let sensor = i % 100
            let jitter = Double(rng.next() % 3_000) / 1_000
            let ts = t0 + Double(i) / 100 - jitter
            let temp = rng.next() % 100 == 0 ? "" : String(format: "%.2f", 15 + Double(rng.next() % 1_000) / 100)
            let humidity = String(format: "%.1f", 30 + Double(rng.next() % 400) / 10)
            let status = rng.next() % 20 == 0 ? "warn" : "ok"
            out += "s\(sensor),\(String(format: "%.3f", ts)),\(temp),\(humidity),\(status)\n"
        }
        try out.write(toFile: path, atomically: false, encoding: .utf8)
    }
}

/// `steward bench checks --rows N`: a batch check (`quality check`) over a generated 6-column CSV
/// with the configuration of the batch check tests: four accuracy rules (allowed, range, pattern,
/// type), one unique field, one cross-field rule. Peak memory is the process's (generation writes
/// the file in 1 MiB pieces).
struct BatchCheckBench {
    var rows: Int
    var unique: Bool

    func run() async throws -> [String: JSONValue] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-cbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("users.csv").path
        try generate(csv)
        let config = """
            checks:
              users:
                source: users.csv
                required_fields: [id, email, status]
                accuracy:
                  - {field: status, allowed: [ok, warn]}
                  - {field: age, min: 0, max: 130}
                  - {field: email, pattern: "[^@]+@[^@]+"}
                  - {field: age, type: int}
                consistency: {\(unique ? "unique: [id], " : "")rules: ["end >= start"]}
            """
        let check = try BatchCheck.parse(config, file: "bench.yaml", baseDirectory: dir.path)[0]
        let start = ContinuousClock.now
        let result = try check.run()
        let seconds = (ContinuousClock.now - start).seconds
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return [
            "suite": .string("checks"), "rows": .integer(Int64(result.records)), "unique_field": .bool(unique),
            "seconds": .number((seconds * 1000).rounded() / 1000), "rows_per_s": .number((Double(result.records) / seconds).rounded()),
            "peak_memory_mb": .number((Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10),
            "accuracy_issues": .integer(Int64(result.accuracy.issues)), "consistency_issues": .integer(Int64(result.consistency.issues)),
        ]
    }

    /// Users with 1 % empty emails, 1 % bad statuses, 0.5 % ages out of range, 0.5 % ends before starts.
    func generate(_ path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StewardError.invalidArgument(field: "bench", message: "bench: cannot write \(path)")
        }
        defer { try? handle.close() }
        var rng = SplitMix64(seed: 7)
        var out = "id,email,status,age,start,end\n"
        for i in 0..<rows {
            let r = rng.next() % 200
            let email = r == 0 || r == 1 ? "" : "user\(i)@example.com"
            let status = r == 2 || r == 3 ? "bad" : (r % 10 == 0 ? "warn" : "ok")
            let age = r == 4 ? "200" : "\(18 + Int(rng.next() % 60))"
            let day = 1 + Int(rng.next() % 28)
            let end = r == 5 ? day - 1 : day + 1
            out += "\(i),\(email),\(status),\(age),2026-01-\(day < 10 ? "0" : "")\(day),2026-01-\(end < 10 ? "0" : "")\(end)\n"
            if out.utf8.count > 1 << 20 {
                handle.write(Data(out.utf8))
                out = ""
            }
        }
        handle.write(Data(out.utf8))
    }
}
