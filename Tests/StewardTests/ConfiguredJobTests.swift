import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Steward
import StewardConfig
import StewardHTTP
import Synchronization
import Testing

@Suite("Jobs defined in the configuration file (http and shell executors)")
struct ConfiguredJobTests {
    /// A local HTTP server recording requests: `/ok/...` answers 200 with JSON, `/fail` 503.
    func withServer(_ body: (String, CallLog) async throws -> Void) async throws {
        let seen = CallLog()
        let router = Router()
        router.post("/ok/:id") { request, context -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 16))
            seen.add("\(context.parameters.get("id") ?? "") \(request.headers[.authorization] ?? "") \(text)")
            return Response(status: .ok, headers: [.contentType: "application/json", HTTPField.Name("X-Test")!: "yes"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true,"n":9007199254740993}"#)))
        }
        router.get("/fail") { _, _ -> Response in Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "busy"))) }
        try await withLocalServer(router) { base in try await body(base, seen) }
    }

    @Test("http: templated url, headers and body; the result keeps status, headers and the JSON body; other statuses fail as HTTPStatus<code>")
    func http() async throws {
        try await withServer { base, seen in
            let config = try ServeConfiguration.parse(
                """
                jobs:
                  notify:
                    executor: http
                    method: post
                    url: "\(base)/ok/{{input.id}}"
                    headers: {Authorization: "Bearer {{input.token}}"}
                    body: {id: "{{input.id}}", tags: ["{{input.tag}}"]}
                    timeout: 5s
                  flaky:
                    executor: http
                    url: "\(base)/fail"
                """, file: "jobs.yaml")
            let notify = try #require(config.jobs["notify"]).handler()
            let context = JobContext(
                id: JobID(1), name: "notify", queue: "q", attempt: 1, maxAttempts: 1, metadata: [:], payload: "{}", enqueuedAt: Date(),
                workerID: "w", logger: Logger(label: "t"))
            let result = try await notify(#"{"id": 42, "token": "t0k", "tag": "x"}"#, context)
            guard case .object(let r)? = result.flatMap(JSONValue.init(parsing:)) else { Issue.record("no result"); return }
            #expect(r["status"] == 200 && r["body"] == ["ok": true, "n": .integer(9_007_199_254_740_993)])
            if case .object(let headers)? = r["headers"] { #expect(headers["x-test"] == "yes") } else { Issue.record("no headers") }
            #expect(seen.all == [#"42 Bearer t0k {"id":42,"tags":["x"]}"#])
            let flaky = try #require(config.jobs["flaky"]).handler()
            do {
                _ = try await flaky("{}", context)
                Issue.record("a 503 succeeded")
            } catch {
                #expect(errorTypeName(error) == "HTTPStatus503" && "\(error)".contains("busy"))
                #expect(!RetryPolicy.default.isFinal(error, attempt: 1, maxAttempts: 5), "an HTTP status is retryable")
                #expect(RetryPolicy.default.retrying(only: ["HTTPStatus503"]).allowsRetry(errorType: errorTypeName(error), attempt: 1, maxAttempts: 5))
            }
            let missing = try #require(config.jobs["notify"]).handler()
            await #expect { _ = try await missing(#"{"token": "t"}"#, context) } throws: { "\($0)".contains("missing path 'input.id'") }
        }
    }

    @Test("shell: argv templates without a shell, captured and bounded output, exit codes as ShellExit<code>, timeouts; off unless enabled")
    func shell() async throws {
        let config = try ServeConfiguration.parse(
            """
            executors: {shell: {enabled: true}}
            jobs:
              greet: {executor: shell, argv: ["/bin/echo", "hello {{input.name}}", "$HOME;ls"], max_output: 8}
              env: {executor: shell, argv: ["/bin/sh", "-c", "echo $GREETING; echo oops >&2; exit 3"], env: {GREETING: "hi {{input.name}}"}}
              slow: {executor: shell, argv: ["/bin/sleep", "60"], timeout: 200ms}
            """, file: "jobs.yaml")
        let context = JobContext(
            id: JobID(1), name: "greet", queue: "q", attempt: 1, maxAttempts: 1, metadata: [:], payload: "{}", enqueuedAt: Date(),
            workerID: "w", logger: Logger(label: "t"))
        let out = try await #require(config.jobs["greet"]).handler()(#"{"name": "Ada"}"#, context)
        // The shell never parses the argument ("$HOME;ls" stays literal) and output is cut at max_output.
        #expect(out.flatMap(JSONValue.init(parsing:)) == ["exit_code": 0, "stdout": "hello Ad", "stderr": ""])
        do {
            _ = try await #require(config.jobs["env"]).handler()(#"{"name": "Bo"}"#, context)
            Issue.record("exit 3 succeeded")
        } catch {
            #expect(errorTypeName(error) == "ShellExit3" && "\(error)".contains("oops"))
        }
        let started = ContinuousClock.now
        await #expect(throws: JobTimeout.self) { _ = try await #require(config.jobs["slow"]).handler()("{}", context) }
        // The 60 s command was stopped by its 200 ms timeout (3.2 s was once seen under full load).
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect {
            _ = try ServeConfiguration.parse("jobs:\n  x: {executor: shell, argv: [\"/bin/true\"]}\n", file: "j.yaml")
        } throws: { ($0 as? ConfigFileError)?.message.contains("enable them with executors: {shell: {enabled: true}}") == true }
        #expect {
            _ = try ServeConfiguration.parse("executors: {shell: {enabled: true}}\njobs:\n  x: {executor: shell, argv: [\"true\"]}\n", file: "j.yaml")
        } throws: { ($0 as? ConfigFileError)?.message.contains("absolute path") == true }
        #expect {
            _ = try ServeConfiguration.parse("jobs:\n  x: {executor: ftp}\n", file: "j.yaml")
        } throws: { ($0 as? ConfigFileError)?.line == 2 }
    }
}
