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
        registry.register(DurableApproval())
        if testJobs {
            registry.register(AppendLine.self)
            registry.register(DurableSteps())
        }
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
            try Self.append(line, to: file)
        }

        static func append(_ line: String, to file: String) throws {
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

    /// A code workflow to try from the command line (docs/durable.md): reserves, sleeps
    /// `sleep_s` seconds (1 unless given) without holding a worker, waits for an `approve`
    /// message (at most `timeout_s` seconds, unbounded unless given), and returns who approved.
    struct DurableApproval: DurableWorkflow {
        static let name = "steward.durable.approval"
        struct Input: Codable, Sendable {
            var order: String
            var sleep_s: Double?
            var timeout_s: Double?
        }
        struct Approval: Codable, Sendable {
            var by: String
        }
        struct Output: Codable, Sendable {
            var order: String
            var hold: String
            var approved_by: String?
        }

        func run(context: DurableContext, input: Input) async throws -> Output {
            // Checked before use: an infinite, negative or enormous number fails the run, never the worker.
            let pause: Double
            let timeout: Double?
            do {
                pause = try DurationParser.checked(input.sleep_s ?? 1, field: "steward.durable.approval sleep_s")
                timeout = try input.timeout_s.map { try DurationParser.checked($0, field: "steward.durable.approval timeout_s") }
            } catch {
                throw PermanentJobError("\(error)")
            }
            let hold = try await context.step("reserve") { "hold-\(input.order)" }
            try await context.sleep(for: .seconds(double: pause))
            let approval = try await context.receive(Approval.self, topic: "approve", timeout: timeout.map { .seconds(double: $0) })
            return Output(order: input.order, hold: hold, approved_by: approval?.by)
        }
    }

    /// For the crash tests: `steps` steps, each appending `start N` and (after `sleepMs`) `end N`
    /// to `file`, with a durable sleep of `pauseMs` after step `pauseAfter`; returns 1 + … + steps.
    struct DurableSteps: DurableWorkflow {
        static let name = "steward.durable.steps"
        struct Input: Codable, Sendable {
            var file: String
            var steps: Int
            var sleepMs: Int
            var pauseAfter: Int?
            var pauseMs: Int?
        }

        func run(context: DurableContext, input: Input) async throws -> Int {
            var total = 0
            for i in 1...max(1, input.steps) {
                total += try await context.step("step\(i)") {
                    try AppendLine.append("start \(i)", to: input.file)
                    try await Task.sleep(for: .milliseconds(input.sleepMs))
                    try AppendLine.append("end \(i)", to: input.file)
                    return i
                }
                if i == input.pauseAfter, let ms = input.pauseMs { try await context.sleep(for: .milliseconds(ms)) }
            }
            return total
        }
    }
}
