import Foundation
import Hummingbird
import Logging
import NIOCore
import Steward
import StewardConfig
import StewardHTTP
import StewardSQLite
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Trace export over OTLP (tracing section, worker --otlp-endpoint)")
struct TraceExportTests {
    @Test("tracing section: read when valid; each mistake names its field; without the OTLP trait the section is refused")
    func configuration() throws {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(TraceExport.isAvailable, "scripts/test builds with --traits OTLP: in CI the export tests must run")
        }
        let good = """
            tracing:
              otlp_endpoint: http://127.0.0.1:4318
              protocol: http/json
              service_name: billing-jobs
              headers: {x-api-key: "env:COLLECTOR_KEY"}
            """
        if TraceExport.isAvailable {
            let cfg = try ServeConfiguration.parse(good, file: "t.yaml", environment: ["COLLECTOR_KEY": "s3cret"])
            let t = try #require(cfg.tracing)
            #expect(t.tracesURL == "http://127.0.0.1:4318/v1/traces" && t.wireProtocol == .httpJSON && t.serviceName == "billing-jobs")
            #expect(t.headers == ["x-api-key": "s3cret"])
            #expect(try TraceExport(endpoint: "https://otel.example/v1/traces").tracesURL == "https://otel.example/v1/traces")
            let bad: [(String, String)] = [
                ("tracing: {otlp_endpoint: 'ftp://x'}", "t.yaml:1:26: tracing otlp_endpoint: 'ftp://x' is not an http(s) URL"),
                ("tracing: {otlp_endpoint: 'http://x', protocol: grpc}", "t.yaml:1:48: tracing protocol: 'grpc' is not http/protobuf or http/json"),
                ("tracing: {protocol: http/json}", "t.yaml:1:10: tracing: missing 'otlp_endpoint'"),
                ("tracing: {otlp_endpoint: 'http://x', headers: {k: 'env:NOPE'}}", "t.yaml:1:51: tracing header 'k': environment variable NOPE is not set"),
            ]
            for (text, message) in bad {
                let error = #expect(throws: ConfigFileError.self) { try ServeConfiguration.parse(text, file: "t.yaml") }
                #expect(error.map { "\($0)" }?.hasPrefix(message) == true, "\(text): \(error.map { "\($0)" } ?? "")")
            }
            // The secret a header reads from the environment is never printed.
            let error = #expect(throws: ConfigFileError.self) {
                try ServeConfiguration.parse(good + "\nbogus: 1", file: "t.yaml", environment: ["COLLECTOR_KEY": "s3cret"])
            }
            #expect(error.map { "\($0)" }?.contains("s3cret") == false)
        } else {
            let error = #expect(throws: ConfigFileError.self) {
                try ServeConfiguration.parse(good, file: "t.yaml", environment: ["COLLECTOR_KEY": "s3cret"])
            }
            #expect(error.map { "\($0)" }?.contains("built without OTLP export; build it with `swift build --traits OTLP`") == true)
        }
    }

    /// Spans received by a local OTLP/HTTP (JSON) collector.
    final class Collector: Sendable {
        struct Span: Equatable {
            var name: String
            var traceID: String
            var spanID: String
            var parentSpanID: String?
            var attributes: [String: String]
        }
        private let bodies = Mutex<[Data]>([])

        var spans: [Span] {
            bodies.withLock { $0 }.flatMap { body -> [Span] in
                guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return [] }
                let resourceSpans = root["resourceSpans"] as? [[String: Any]] ?? []
                return resourceSpans.flatMap { ($0["scopeSpans"] as? [[String: Any]] ?? []) }.flatMap { ($0["spans"] as? [[String: Any]] ?? []) }
                    .map { span in
                        var attributes: [String: String] = [:]
                        for a in span["attributes"] as? [[String: Any]] ?? [] {
                            let value = (a["value"] as? [String: Any])?.values.first.map { "\($0)" } ?? ""
                            attributes[a["key"] as? String ?? ""] = value
                        }
                        let parent = (span["parentSpanId"] as? String).flatMap { $0.isEmpty ? nil : Self.hex($0) }
                        return Span(
                            name: span["name"] as? String ?? "", traceID: Self.hex(span["traceId"] as? String ?? ""),
                            spanID: Self.hex(span["spanId"] as? String ?? ""), parentSpanID: parent, attributes: attributes)
                    }
            }
        }

        /// IDs as hex whether the exporter wrote hex (the OTLP/JSON spec) or base64 (protobuf's JSON mapping).
        static func hex(_ text: String) -> String {
            if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
            guard let data = Data(base64Encoded: text) else { return text }
            return data.map { String(format: "%02x", $0) }.joined()
        }

        func run(_ body: (String) async throws -> Void) async throws {
            let router = Router()
            router.post("/v1/traces") { request, _ -> Response in
                let buffer = try await request.body.collect(upTo: 1 << 22)
                self.bodies.withLock { $0.append(Data(buffer.readableBytesView)) }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
            try await withLocalServer(router, body)
        }
    }

    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentSpanID = "00f067aa0ba902b7"

    @Test(
        "worker --otlp-endpoint: each attempt is a span, continuing the trace in the job's traceparent; spans are sent by the graceful stop",
        .enabled(if: TraceExport.isAvailable))
    func worker() async throws {
        let procs = try WorkerProcesses(storeURL: "", queue: "default")
        let dbURL = procs.dir.appendingPathComponent("s.db").path
        let store = try SQLiteJobStore(url: "sqlite:" + dbURL)
        try await store.migrate()
        let ids = try await store.enqueue(
            [
                NewJob(queue: "default", name: "steward.echo", payload: #"{"a":1}"#, metadata: ["traceparent": "00-\(Self.traceID)-\(Self.parentSpanID)-01"]),
                NewJob(queue: "default", name: "steward.echo", payload: #"{"b":2}"#),
            ], now: Date()
        ).map(\.id)
        try await store.close()
        let collector = Collector()
        try await collector.run { url in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
            p.arguments = ["worker", "--store", "sqlite:" + dbURL, "--otlp-endpoint", url, "--otlp-protocol", "http/json", "--otlp-service-name", "w1"]
            let log = procs.dir.appendingPathComponent("w.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: log)
            p.standardError = p.standardOutput
            try p.run()
            // Stopped even when an expectation below throws.
            defer { if p.isRunning { p.terminate() } }
            let check = try SQLiteJobStore(url: "sqlite:" + dbURL)
            #expect(
                await eventually(timeout: .seconds(30)) {
                    var done = 0
                    for id in ids where (try? await check.job(id, now: Date()))?.state == .succeeded { done += 1 }
                    return done == ids.count
                })
            try await check.close()
            #expect(await procs.stop(p) == 0)
            let spans = collector.spans.filter { $0.name == "steward.job steward.echo" }
            #expect(spans.count == 2, "\(collector.spans) \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
            let continued = spans.first { $0.attributes["steward.job.id"] == "\(ids[0].rawValue)" }
            #expect(continued?.traceID == Self.traceID && continued?.parentSpanID == Self.parentSpanID)
            let fresh = spans.first { $0.attributes["steward.job.id"] == "\(ids[1].rawValue)" }
            #expect(fresh != nil && fresh?.traceID != Self.traceID && fresh?.parentSpanID == nil)
            #expect(continued?.attributes["steward.job.queue"] == "default" && continued?.attributes["steward.job.attempt"] == "1")
        }
    }

    @Test(
        "serve with tracing: a request is a span and the job it enqueues continues the request's trace",
        .enabled(if: TraceExport.isAvailable))
    func serve() async throws {
        let procs = try WorkerProcesses(storeURL: "", queue: "default")
        let collector = Collector()
        try await collector.run { url in
            let config = procs.dir.appendingPathComponent("steward.yaml")
            try """
            store: sqlite:\(procs.dir.appendingPathComponent("s.db").path)
            http: {port: 0}
            tracing: {otlp_endpoint: "\(url)", protocol: http/json}
            """.write(to: config, atomically: true, encoding: .utf8)
            let (p, base) = try await procs.serve(config: config)
            // Stopped even when an expectation below throws.
            defer { if p.isRunning { p.terminate() } }
            let api = try #require(base, "serve did not log its URL within 30 s")
            var request = URLRequest(url: URL(string: api + "/api/v1/jobs")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("00-\(Self.traceID)-\(Self.parentSpanID)-01", forHTTPHeaderField: "traceparent")
            request.httpBody = Data(#"{"name": "steward.echo", "payload": {"x": 1}}"#.utf8)
            let (body, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: body, as: UTF8.self))")
            let job = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? Int)
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    let (b, _) = try await URLSession.shared.data(from: URL(string: api + "/api/v1/jobs/\(job)")!)
                    return (try JSONSerialization.jsonObject(with: b) as? [String: Any])?["state"] as? String == "succeeded"
                })
            #expect(await procs.stop(p) == 0)
            let spans = collector.spans
            let requestSpan = spans.first { $0.name == "/api/v1/jobs" }
            let jobSpan = spans.first { $0.name == "steward.job steward.echo" }
            #expect(requestSpan?.traceID == Self.traceID && requestSpan?.parentSpanID == Self.parentSpanID, "\(spans)")
            #expect(jobSpan?.traceID == Self.traceID && jobSpan?.parentSpanID == requestSpan?.spanID, "\(spans)")
        }
    }
}
