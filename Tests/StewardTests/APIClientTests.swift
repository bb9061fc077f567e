import Foundation
import OpenAPIRuntime
import StewardAPIClient
import StewardConfig
import Testing

/// StewardAPIClient: the code swift-openapi-generator wrote from the served document, against a
/// live `steward serve`.
@Suite("Generated HTTP client")
struct APIClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the client was generated from the document the server serves now (else: run scripts/generate-api-client)")
    func current() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("Sources/StewardHTTP/Resources/openapi.json"), encoding: .utf8)
        let recorded = try String(contentsOf: Self.root.appendingPathComponent("Sources/StewardAPIClient/Generated/openapi.sha256"), encoding: .utf8)
        #expect(
            AccessToken.sha256Hex(doc) == recorded.trimmingCharacters(in: .whitespacesAndNewlines),
            "openapi.json changed since the client was generated: run scripts/generate-api-client")
    }

    @Test("a live serve: enqueue, wait for the result, read the activity, a typed 404 and a typed 401")
    func live() async throws {
        let procs = try WorkerProcesses(storeURL: "", queue: "default")
        let token = "admin-\(UUID().uuidString)"
        let config = procs.dir.appendingPathComponent("steward.yaml")
        try """
        store: sqlite:\(procs.dir.appendingPathComponent("s.db").path)
        http: {port: 0}
        auth:
          tokens:
            - {name: admin, env: STEWARD_CLIENT_TEST_TOKEN, scope: admin}
        """.write(to: config, atomically: true, encoding: .utf8)
        let (p, base) = try await procs.serve(config: config, environment: ["STEWARD_CLIENT_TEST_TOKEN": token])
        defer { if p.isRunning { p.terminate() } }
        let url = try #require(base.flatMap(URL.init(string:)))
        let api = StewardAPIClient.make(serverURL: url, token: token)

        let created = try await api.enqueueJob(
            body: .json(.init(name: "steward.echo", payload: try OpenAPIValueContainer(unvalidatedValue: ["order": 42, "note": "from the client"] as [String: (any Sendable)?]))))
        let job = try created.created.body.json
        #expect(job.name == "steward.echo" && job.queue == "default")
        var done: Components.Schemas.Job? = nil
        #expect(
            try await eventually(timeout: .seconds(30)) {
                done = try await api.getJob(path: .init(id: job.id)).ok.body.json
                return done?.state == .succeeded
            })
        let result = try #require(done?.result.value as? [String: (any Sendable)?])
        #expect(result["order"] as? Int == 42 && result["note"] as? String == "from the client", "\(result)")
        #expect(done?.error == nil && done?.finished_at != nil)

        let activity = try await api.jobActivity(query: .init(minutes: 5)).ok.body.json
        #expect(activity.processed_today >= 1 && activity.minutes.count == 5)

        guard case .notFound(let missing) = try await api.getJob(path: .init(id: 999_999)) else {
            Issue.record("an unknown job did not answer 404")
            return
        }
        #expect(try missing.body.json.error.code == "not_found")
        let anonymous = StewardAPIClient.make(serverURL: url)
        guard case .unauthorized = try await anonymous.listQueues() else {
            Issue.record("a request without the token was not refused with 401")
            return
        }
    }
}
