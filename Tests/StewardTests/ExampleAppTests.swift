import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Steward
import StewardSQLite
import Testing

/// examples/hummingbird-app and examples/vapor-app (each its own package, built by scripts/test),
/// as their READMEs say to run them: a web application whose `POST /reports` enqueues a typed job
/// and `GET /reports/{id}` shows it, with the worker in the same process (`serve`: a service of
/// Hummingbird's `ServiceGroup`, a lifecycle handler of the Vapor application through
/// StewardVapor) or in its own (`serve --no-worker` beside `worker`).
@Suite("the web application examples (Hummingbird, Vapor)")
struct ExampleAppTests {
    /// The environment variable scripts/test sets to each application's binary.
    static let apps = ["STEWARD_EXAMPLE_HUMMINGBIRD", "STEWARD_EXAMPLE_VAPOR"]

    func start(_ binary: String, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
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
        if body != nil { r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
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

    /// The app's binary, a fresh store and a free port for it, or nil (after saying why in CI)
    /// without the binary.
    func sandbox(_ app: String) throws -> (binary: String, store: String, port: Int, base: String)? {
        guard let binary = ProcessInfo.processInfo.environment[app] else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "\(app) is not set (scripts/test sets it)")
            return nil
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-hb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let port = try DocScript.freePort()
        return (binary, "sqlite:\(dir.path)/reports.db", port, "http://127.0.0.1:\(port)")
    }

    @Test("serve: the routes and the worker in one process; the report's job succeeds with its result", arguments: apps)
    func oneProcess(app name: String) async throws {
        guard let (binary, store, port, base) = try sandbox(name) else { return }
        let app = try start(binary, ["serve", "--store", store, "--port", "\(port)"])
        defer { stop(app) }
        let id = try await post(base)
        var job: [String: Any] = [:]
        #expect(try await eventually { job = try await state(base, id); return job["state"] as? String == "succeeded" }, "\(job)")
        #expect(job["name"] as? String == "reports.generate")
        let result = try #require(job["result"] as? [String: Any])
        #expect(result["lines"] as? [String] == ["acme: month 1 ok", "acme: month 2 ok", "acme: month 3 ok"])
        #expect(try await request(base + "/reports/999").status == 404)
        #expect(try await request(base + "/reports", method: "POST", body: #"{"customer": "acme", "months": 0}"#).status == 400)
        // SIGTERM stops the server and drains the worker, and the process ends cleanly.
        app.terminate()
        #expect(await eventually(timeout: .seconds(20)) { !app.isRunning }, "the app did not stop on SIGTERM")
        #expect(app.terminationStatus == 0)
    }

    @Test("serve --no-worker beside a worker process: the job waits until the worker runs it", arguments: apps)
    func twoProcesses(app name: String) async throws {
        guard let (binary, store, port, base) = try sandbox(name) else { return }
        let app = try start(binary, ["serve", "--no-worker", "--store", store, "--port", "\(port)"])
        defer { stop(app) }
        let id = try await post(base)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await state(base, id)["state"] as? String == "available", "no worker runs in the web process")
        let worker = try start(binary, ["worker", "--store", store])
        defer { stop(worker) }
        var job: [String: Any] = [:]
        #expect(try await eventually(timeout: .seconds(20)) { job = try await state(base, id); return job["state"] as? String == "succeeded" }, "\(job)")
    }
}
