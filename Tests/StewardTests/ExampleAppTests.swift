import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Steward
import StewardSQLite
import Testing

/// examples/hummingbird-app, as its README says to run it: a Hummingbird application whose
/// `POST /reports` enqueues a typed job and `GET /reports/{id}` shows it, with the worker in the
/// same process (`serve`) or in its own (`serve --no-worker` beside `worker`).
@Suite("the Hummingbird example application")
struct ExampleAppTests {
    let binary = ProcessInfo.processInfo.environment["STEWARD_EXAMPLE_HUMMINGBIRD"]

    func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary!)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// SIGTERM without waiting (a blocking wait would hold a thread of the test's executor).
    func stop(_ p: Process) {
        p.terminate()
    }

    func request(_ url: String, method: String = "GET", body: String? = nil) async throws -> (status: Int, json: [String: Any]) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as! HTTPURLResponse).statusCode, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// POSTs a report once the server answers, and returns its job id.
    func post(_ base: String) async throws -> Int {
        var answer: (status: Int, json: [String: Any])? = nil
        _ = await eventually(timeout: .seconds(20)) {
            answer = try? await request(base + "/reports", method: "POST", body: #"{"customer": "acme", "months": 3}"#)
            return answer != nil
        }
        let posted = try #require(answer)
        #expect(posted.status == 202)
        return try #require(posted.json["id"] as? Int)
    }

    func state(_ base: String, _ id: Int) async throws -> [String: Any] {
        try await request(base + "/reports/\(id)").json
    }

    /// A fresh store and a free port for the app, or nil (after saying why in CI) without the binary.
    func sandbox() throws -> (store: String, port: Int, base: String)? {
        guard binary != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "STEWARD_EXAMPLE_HUMMINGBIRD is not set (scripts/test sets it)")
            return nil
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-hb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let port = try DocScript.freePort()
        return ("sqlite:\(dir.path)/reports.db", port, "http://127.0.0.1:\(port)")
    }

    @Test("serve: the routes and the worker in one process; the report's job succeeds with its result")
    func oneProcess() async throws {
        guard let (store, port, base) = try sandbox() else { return }
        let app = try start(["serve", "--store", store, "--port", "\(port)"])
        defer { stop(app) }
        let id = try await post(base)
        var job: [String: Any] = [:]
        #expect(try await eventually { job = try await state(base, id); return job["state"] as? String == "succeeded" }, "\(job)")
        #expect(job["name"] as? String == "reports.generate")
        let result = try #require(job["result"] as? [String: Any])
        #expect(result["lines"] as? [String] == ["acme: month 1 ok", "acme: month 2 ok", "acme: month 3 ok"])
        #expect(try await request(base + "/reports/999").status == 404)
        #expect(try await request(base + "/reports", method: "POST", body: #"{"customer": "acme", "months": 0}"#).status == 400)
    }

    @Test("serve --no-worker beside a worker process: the job waits until the worker runs it")
    func twoProcesses() async throws {
        guard let (store, port, base) = try sandbox() else { return }
        let app = try start(["serve", "--no-worker", "--store", store, "--port", "\(port)"])
        defer { stop(app) }
        let id = try await post(base)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await state(base, id)["state"] as? String == "available", "no worker runs in the web process")
        let worker = try start(["worker", "--store", store])
        defer { stop(worker) }
        var job: [String: Any] = [:]
        #expect(try await eventually(timeout: .seconds(20)) { job = try await state(base, id); return job["state"] as? String == "succeeded" }, "\(job)")
    }
}
