import Foundation
import Steward
import Testing

/// Waits for `p` to exit; returns its status, or nil (after a SIGKILL) if it outlived `timeout`.
func exitStatus(of p: any ChildProcess, within timeout: Duration = .seconds(20)) async -> Int32? {
    let deadline = ContinuousClock.now + timeout
    while p.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        return nil
    }
    return p.terminationStatus
}

/// Real `steward worker` processes against one store, running `steward.append` jobs that append
/// their line to one file, so every execution can be counted.
struct WorkerProcesses {
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["STEWARD_BIN"] { return path }
        // `swift test` runs the test bundle from the build's bin folder, next to `steward`.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("steward").path
    }

    let dir: URL
    let storeURL: String
    let queue: String
    var outPath: String { dir.appendingPathComponent("runs.txt").path }

    init(storeURL: String, queue: String = "mp") throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-mp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.storeURL = storeURL
        self.queue = queue
    }

    /// A `steward worker` process, its output appended to `<name>.log` (started with posix_spawn:
    /// see ``Spawned`` for why not Foundation's `Process`).
    func spawn(_ name: String, concurrency: Int = 8, extra: [String] = []) throws -> Spawned {
        let log = dir.appendingPathComponent("\(name).log").path
        return try Spawned(
            Self.binary,
            ["worker", "--store", storeURL, "--queues", queue, "--concurrency", "\(concurrency)", "--log-level", "warning", "--enable-test-jobs"]
                + extra,
            stdout: log, stderr: log, append: true)
    }

    /// `steward serve --config config` (its output in `serve.log`, started with posix_spawn), and
    /// the base URL it logs once it listens (`nil` when it does not within 30 s).
    func serve(config: URL, environment: [String: String] = [:]) async throws -> (process: Spawned, base: String?) {
        let log = dir.appendingPathComponent("serve.log")
        let p = try Spawned(
            Self.binary, ["serve", "--config", config.path], stdout: log.path, stderr: log.path,
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new })
        var base: String? = nil
        _ = await eventually(timeout: .seconds(30)) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard let range = text.range(of: #"listening url=http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else { return false }
            base = String(text[range].dropFirst("listening url=".count))
            return true
        }
        return (p, base)
    }

    /// Enqueues `n` append jobs in batches of 500; job `i` appends the line `i`.
    func enqueue(_ n: Int, sleepMs: Int, into store: any StewardStore) async throws {
        for start in stride(from: 0, to: n, by: 500) {
            let jobs = (start..<min(n, start + 500)).map { i in
                NewJob(
                    queue: queue, name: "steward.append",
                    payload: #"{"file":"\#(outPath)","line":"\#(i)","sleepMs":\#(sleepMs)}"#)
            }
            _ = try await store.enqueue(jobs, now: Date())
        }
    }

    /// SIGTERM, then waits for a graceful exit; returns the exit status, or nil if it had to be killed.
    func stop(_ p: any ChildProcess, timeout: Duration = .seconds(20)) async -> Int32? {
        await Self.stopProcess(p, timeout: timeout)
    }

    /// SIGTERM, then waits for a graceful exit; returns the exit status, or nil if it had to be killed.
    static func stopProcess(_ p: any ChildProcess, timeout: Duration = .seconds(20)) async -> Int32? {
        if p.isRunning { p.terminate() }
        return await exitStatus(of: p, within: timeout)
    }

    func kill9(_ p: any ChildProcess) async {
        kill(p.processIdentifier, SIGKILL)
        while p.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// How many times each line was appended.
    func lines() throws -> [String: Int] {
        guard FileManager.default.fileExists(atPath: outPath) else { return [:] }
        let text = try String(contentsOfFile: outPath, encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        return counts
    }

    func logs() -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".log") }.sorted().compactMap {
            try? "== \($0)\n" + String(contentsOfFile: dir.appendingPathComponent($0).path, encoding: .utf8)
        }.joined(separator: "\n").suffix(4000).description
    }
}
