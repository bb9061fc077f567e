import Foundation
import Steward

/// Jobs the `steward` binary can run without user code: the demo's jobs and small utilities
/// for trying things out and for end-to-end tests.
enum BuiltinJobs {
    /// The built-in jobs; `testJobs` adds those that write to this host's files
    /// (`steward.append`), which any enqueuer could otherwise aim at any path.
    static func registry(testJobs: Bool = false) -> JobRegistry {
        let registry = JobRegistry()
        registry.register(DemoPipelineStep.self)
        registry.register(DemoFlaky.self)
        registry.register(DemoSlowReport.self)
        registry.register(DemoDoomed.self)
        registry.register(name: "steward.noop") { _, _ in nil }
        // Its result is its payload: for trying workflows from the command line.
        registry.register(name: "steward.echo") { payload, _ in payload }
        registry.register(Sleep.self)
        if testJobs { registry.register(AppendLine.self) }
        registry.register(Fail.self)
        PipelineChecks.register(in: registry)
        return registry
    }

    /// Sleeps for `seconds`, honouring cancellation; reports progress each tenth.
    struct Sleep: Job {
        static let name = "steward.sleep"
        var seconds: Double

        func run(context: JobContext) async throws {
            let seconds: Double
            do { seconds = try DurationParser.checked(self.seconds, field: "steward.sleep seconds") } catch {
                throw PermanentJobError("\(error)")
            }
            for i in 1...10 {
                try await Task.sleep(for: .seconds(double: seconds / 10))
                context.reportProgress(step: i, of: 10)
            }
        }
    }

    /// Appends `line` to `file` with one `write` on an O_APPEND descriptor (atomic between
    /// processes); used by the multi-process tests to count executions.
    struct AppendLine: Job {
        static let name = "steward.append"
        var file: String
        var line: String
        var sleepMs: Int?

        func run(context: JobContext) async throws {
            if let ms = sleepMs, ms > 0 { try await Task.sleep(for: .milliseconds(ms)) }
            let fd = Foundation.open(file, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            guard fd >= 0 else { throw PermanentJobError("cannot open \(file): errno \(errno)") }
            defer { close(fd) }
            let bytes = Array((line + "\n").utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw PermanentJobError("short write to \(file)") }
        }
    }

    /// Always fails with `message`.
    struct Fail: Job {
        static let name = "steward.fail"
        var message: String?

        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        func run(context: JobContext) async throws {
            throw Failure(description: message ?? "failed on purpose")
        }
    }
}
