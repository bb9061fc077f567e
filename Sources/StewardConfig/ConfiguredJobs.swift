import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore
import NIOHTTP1
import Steward
import StewardQuality
import Yams

/// A job defined in the configuration file instead of in Swift: an HTTP request or a command.
/// Their templates read the job's payload as `{{input.…}}`, as workflow tasks do.
public enum ConfiguredJob: Sendable, Equatable {
    /// An HTTP request; its result is `{status, headers, body}` (the body as JSON when it is JSON).
    case http(HTTPJob)
    /// A command run without a shell; its result is `{exit_code, stdout, stderr}`.
    case shell(ShellJob)
    /// A batch data check (docs/quality.md); its run is stored and its result is the check's
    /// JSON; a failed check ends the job dead at once (a `PermanentJobError` naming the rates below their thresholds).
    case quality(QualityJob)

    /// A quality job's definition: a check of a checks file, read when the configuration is.
    public struct QualityJob: Sendable, Equatable {
        /// The checks file.
        public var config: String
        /// The check.
        public var check: BatchCheck

        public static func == (a: Self, b: Self) -> Bool { a.config == b.config && a.check.name == b.check.name }

        func run(context: JobContext) async throws -> String? {
            guard let store = context.client?.store as? any PipelineStore else {
                throw PermanentJobError("quality jobs need a worker whose store keeps check runs (SQLite or PostgreSQL)")
            }
            let result = try await BatchCheckHistory.runAndRecord(check, store: store)
            guard result.passedAll else {
                var failed: [String] = []
                if !result.completeness.passed { failed.append("completeness \(result.completeness.overall)") }
                if !result.accuracy.passed { failed.append("accuracy \(result.accuracy.rate)") }
                if !result.consistency.passed { failed.append("consistency \(result.consistency.rate)") }
                throw PermanentJobError("check '\(check.name)' failed: \(failed.joined(separator: ", ")) below its threshold")
            }
            return try JSONCoding.encode(result)
        }
    }

    /// An HTTP job's definition.
    public struct HTTPJob: Sendable, Equatable {
        /// `GET`, `POST`, …
        public var method: String
        /// The URL template.
        public var url: String
        /// Header templates.
        public var headers: [String: String]
        /// The body template (sent as JSON); none for `nil`.
        public var body: JSONValue?
        /// Statuses that count as success; 2xx when empty.
        public var expect: [Int]
        /// Longest the request may take.
        public var timeout: Duration
    }

    /// A shell job's definition.
    public struct ShellJob: Sendable, Equatable {
        /// The program and its arguments, each a template; no shell parses them.
        public var argv: [String]
        /// Environment variables (templates) added to the worker's.
        public var env: [String: String]
        /// The working directory.
        public var workingDirectory: String?
        /// Longest the command may run (then it is terminated).
        public var timeout: Duration
        /// Most bytes of stdout and of stderr kept in the result.
        public var maxOutput: Int
    }

    /// A handler running this job.
    public func handler() -> JobHandlerFunction {
        switch self {
        case .http(let job): return { payload, _ in try await job.run(payload: payload) }
        case .shell(let job): return { payload, _ in try await job.run(payload: payload) }
        case .quality(let job): return { _, context in try await job.run(context: context) }
        }
    }

    static func scope(_ payload: String) throws -> JSONValue {
        guard let input = JSONValue(parsing: payload) else { throw PermanentJobError("payload is not valid JSON") }
        return ["input": input]
    }

    static func render(_ template: String, _ scope: JSONValue, what: String) throws -> String {
        do {
            let value = try WorkflowTemplate(parsing: template).render(in: scope)
            if case .string(let s) = value { return s }
            return value.jsonText
        } catch {
            throw PermanentJobError("\(what): \(error)")
        }
    }
}

/// An HTTP job answered with a status it does not expect (retryable; its type is `HTTPStatus<code>`).
public struct HTTPStatusError: NamedJobError, CustomStringConvertible {
    /// The status.
    public var status: Int
    /// The start of the response body.
    public var body: String
    public var errorTypeName: String { "HTTPStatus\(status)" }
    public var description: String { "HTTP \(status)\(body.isEmpty ? "" : ": \(body)")" }
}

/// A shell job's command exited with a non-zero status (its type is `ShellExit<code>`).
public struct ShellExitError: NamedJobError, CustomStringConvertible {
    /// The exit status.
    public var code: Int32
    /// The end of its stderr.
    public var stderr: String
    public var errorTypeName: String { "ShellExit\(code)" }
    public var description: String { "exited with \(code)\(stderr.isEmpty ? "" : ": \(stderr)")" }
}

extension ConfiguredJob.HTTPJob {
    func run(payload: String) async throws -> String? {
        let scope = try ConfiguredJob.scope(payload)
        var request = HTTPClientRequest(url: try ConfiguredJob.render(url, scope, what: "url"))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            request.headers.add(name: name, value: try ConfiguredJob.render(value, scope, what: "header \(name)"))
        }
        if let body {
            let rendered: JSONValue
            do { rendered = try WorkflowTemplate.render(body, in: scope) } catch { throw PermanentJobError("body: \(error)") }
            request.body = .bytes(ByteBuffer(string: rendered.jsonText))
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout.seconds.rounded(.up))))
        let bytes = try await response.body.collect(upTo: 10 << 20)
        let text = String(buffer: bytes)
        let status = Int(response.status.code)
        guard expect.isEmpty ? (200..<300).contains(status) : expect.contains(status) else {
            throw HTTPStatusError(status: status, body: String(text.prefix(200)))
        }
        var headerValues: [String: JSONValue] = [:]
        for h in response.headers { headerValues[h.name.lowercased()] = .string(h.value) }
        let result: JSONValue = [
            "status": .integer(Int64(status)), "headers": .object(headerValues), "body": JSONValue(parsing: text) ?? .string(text),
        ]
        return result.jsonText
    }
}

extension ConfiguredJob.ShellJob {
    func run(payload: String) async throws -> String? {
        let scope = try ConfiguredJob.scope(payload)
        let args = try argv.enumerated().map { try ConfiguredJob.render($1, scope, what: "argv[\($0)]") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: args[0])
        process.arguments = Array(args.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = try ConfiguredJob.render(v, scope, what: "env \(k)") }
        process.environment = environment
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw PermanentJobError("cannot start \(args[0]): \(error)") }
        // Read both pipes while the command runs (a full pipe would block it), keeping at most maxOutput bytes.
        let limit = maxOutput
        async let stdout = Self.drain(out.fileHandleForReading, limit: limit)
        async let stderr = Self.drain(err.fileHandleForReading, limit: limit)
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now >= deadline || Task.isCancelled {
                timedOut = !Task.isCancelled
                await Self.stop(process)
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        let (o, e) = await (stdout, stderr)
        if Task.isCancelled { throw CancellationError() }
        if timedOut { throw JobTimeout(timeout: timeout) }
        guard process.terminationStatus == 0 else { throw ShellExitError(code: process.terminationStatus, stderr: String(e.suffix(200))) }
        let result: JSONValue = ["exit_code": 0, "stdout": .string(o), "stderr": .string(e)]
        return result.jsonText
    }

    /// SIGTERM, then SIGKILL after a second: a child of a process that traps SIGTERM (as every
    /// `steward` service does) inherits it ignored, so the kill is what stops it.
    static func stop(_ process: Process) async {
        process.terminate()
        let grace = ContinuousClock.now + .seconds(1)
        while process.isRunning, ContinuousClock.now < grace { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Reads a pipe to its end on a Dispatch thread: blocking reads must not occupy the
    /// cooperative pool (two cores give it two threads, and the timeout check needs one).
    static func drain(_ handle: FileHandle, limit: Int) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var kept = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    if kept.count < limit { kept.append(chunk.prefix(limit - kept.count)) }
                }
                continuation.resume(returning: String(decoding: kept, as: UTF8.self))
            }
        }
    }
}

extension ServeConfiguration {
    /// `jobs: NAME: {executor: http|shell, …}`; shell jobs need `executors: {shell: {enabled: true}}`.
    static func configuredJobs(_ node: Node, shellEnabled: Bool, baseDirectory: String, _ reader: YAMLReader) throws -> [String: ConfiguredJob] {
        var out: [String: ConfiguredJob] = [:]
        for (k, v) in try reader.pairs(node, "jobs") {
            let name = try reader.string(k, "job name")
            do { try NewJob.checkName(name, field: "job name") } catch { throw reader.error(k, "\(error)") }
            let what = "job '\(name)'"
            guard let executorNode = reader.values(of: v)["executor"] else {
                throw reader.error(v, "\(what): missing 'executor' (http, shell or quality)")
            }
            let executor = try reader.string(executorNode, "\(what) executor")
            switch executor {
            case "http":
                let m = try reader.mapping(v, what, allowed: ["executor", "method", "url", "headers", "body", "expect", "timeout"])
                guard let urlNode = m["url"] else { throw reader.error(v, "\(what): missing 'url'") }
                let url = try reader.string(urlNode, "\(what) url")
                do { _ = try WorkflowTemplate(parsing: url) } catch { throw reader.error(urlNode, "\(what) url: \(error)") }
                let method = try m["method"].map { try reader.string($0, "\(what) method").uppercased() } ?? "GET"
                guard ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(method) else {
                    throw reader.error(m["method"]!, "\(what) method: '\(method)' is not GET, POST, PUT, PATCH, DELETE or HEAD")
                }
                var headers: [String: String] = [:]
                for (hk, hv) in try m["headers"].map({ try reader.pairs($0, "\(what) headers") }) ?? [] {
                    headers[try reader.string(hk, "\(what) header name")] = try reader.string(hv, "\(what) header value")
                }
                let expect = try m["expect"].map { try reader.sequence($0, "\(what) expect").map { try reader.integer($0, "\(what) expect", in: 100...599) } } ?? []
                out[name] = .http(
                    .init(
                        method: method, url: url, headers: headers, body: m["body"].map(reader.json), expect: expect,
                        timeout: .seconds(double: try m["timeout"].map { try reader.duration($0, "\(what) timeout") } ?? 30)))
            case "shell":
                guard shellEnabled else {
                    throw reader.error(executorNode, "\(what): shell jobs run commands on this host; enable them with executors: {shell: {enabled: true}}")
                }
                let m = try reader.mapping(v, what, allowed: ["executor", "argv", "env", "working_dir", "timeout", "max_output"])
                guard let argvNode = m["argv"] else { throw reader.error(v, "\(what): missing 'argv' (a list: program, then arguments)") }
                let argv = try reader.sequence(argvNode, "\(what) argv").map { try reader.string($0, "\(what) argv") }
                guard let program = argv.first, program.hasPrefix("/") else {
                    throw reader.error(argvNode, "\(what) argv: the first item must be the program's absolute path")
                }
                var env: [String: String] = [:]
                for (ek, ev) in try m["env"].map({ try reader.pairs($0, "\(what) env") }) ?? [] {
                    env[try reader.string(ek, "\(what) env name")] = try reader.string(ev, "\(what) env value")
                }
                out[name] = .shell(
                    .init(
                        argv: argv, env: env, workingDirectory: try m["working_dir"].map { try reader.string($0, "\(what) working_dir") },
                        timeout: .seconds(double: try m["timeout"].map { try reader.duration($0, "\(what) timeout") } ?? 60),
                        maxOutput: try m["max_output"].map { try bytes($0, "\(what) max_output", reader) } ?? 64 * 1024))
            case "quality":
                let m = try reader.mapping(v, what, allowed: ["executor", "config", "check"])
                guard let configNode = m["config"] else { throw reader.error(v, "\(what): missing 'config' (a checks file)") }
                let relative = try reader.string(configNode, "\(what) config")
                let path = relative.hasPrefix("/") ? relative : URL(fileURLWithPath: baseDirectory).appendingPathComponent(relative).path
                let checks: [BatchCheck]
                do { checks = try BatchCheck.load(path: path) } catch let e as ConfigFileError { throw e } catch {
                    throw reader.error(configNode, "\(what) config: \(error)")
                }
                let wanted = try m["check"].map { try reader.string($0, "\(what) check") }
                guard let check = wanted.map({ w in checks.first { $0.name == w } }) ?? (checks.count == 1 ? checks.first : nil) else {
                    throw reader.error(
                        m["check"] ?? v,
                        "\(what) check: name one of \(checks.map(\.name).joined(separator: ", "))\(wanted.map { " ('\($0)' is not there)" } ?? "")")
                }
                out[name] = .quality(.init(config: path, check: check))
            default:
                throw reader.error(executorNode, "\(what) executor: '\(executor)' is not http, shell or quality")
            }
        }
        return out
    }
}
