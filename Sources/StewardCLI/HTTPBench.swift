import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Steward
import StewardConfig
import StewardHTTP
import Synchronization

/// `steward bench --workload http`: HTTP enqueue against the library's own, on one store.
struct HTTPBench: Sendable {
    let store: any StewardStore
    let jobs: Int
    let connections: Int

    func run() async throws -> [String: JSONValue] {
        var logger = Logger(label: "steward.bench")
        logger.logLevel = .error
        let registry = PrometheusCollectorRegistry()
        let api = StewardAPI(store: store, configuration: .init(), metrics: registry, logger: logger)
        let port = Mutex<Int?>(nil)
        let server = StewardServer.application(api: api, host: "127.0.0.1", port: 0, logger: logger) { bound in port.withLock { $0 = bound } }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while port.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard let bound = port.withLock({ $0 }) else { throw Benchmark.Failure(description: "bench: the HTTP server did not start") }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let url = "http://127.0.0.1:\(bound)/api/v1/jobs"

        // Warm the connections, then measure.
        _ = try await post(client, url, 0)
        let (httpRate, httpLatencies) = try await measure(total: jobs) { i in try await post(client, url, i) }
        let library = StewardClient(store: store)
        let (libraryRate, libraryLatencies) = try await measure(total: jobs) { i in
            _ = try await library.enqueue([NewJob(queue: "bench-lib", name: "bench.noop", payload: #"{"i":\#(i)}"#)])
        }
        var scrapes: [Double] = []
        for _ in 0..<200 {
            let start = ContinuousClock.now
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(bound)/metrics"), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 16 << 20)
            scrapes.append((ContinuousClock.now - start).seconds * 1000)
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        _ = await running.result
        func p(_ values: [Double], _ q: Double) -> JSONValue { .number(Benchmark.round(Benchmark.percentile(values.sorted(), q))) }
        return [
            "connections": .integer(Int64(connections)),
            "http_enqueue_per_s": .number(httpRate.rounded()), "http_p50_ms": p(httpLatencies, 50), "http_p99_ms": p(httpLatencies, 99),
            "library_enqueue_per_s": .number(libraryRate.rounded()), "library_p50_ms": p(libraryLatencies, 50),
            "library_p99_ms": p(libraryLatencies, 99),
            "http_to_library": .number(Benchmark.round(libraryRate > 0 ? httpRate / libraryRate : 0)),
            "metrics_scrape_p50_ms": p(scrapes, 50), "metrics_scrape_p99_ms": p(scrapes, 99),
        ]
    }

    func post(_ client: HTTPClient, _ url: String, _ i: Int) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"name":"bench.noop","queue":"bench-http","payload":{"i":\#(i)}}"#))
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created else { throw Benchmark.Failure(description: "bench: POST answered \(response.status.code)") }
    }

    /// Runs `total` calls from `connections` concurrent callers; the rate and each call's latency (ms).
    func measure(total: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> (Double, [Double]) {
        final class Ticket: Sendable { let next = Atomic<Int>(0) }
        let ticket = Ticket()
        let callers = connections
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<callers {
                group.addTask {
                    var mine: [Double] = []
                    while true {
                        let i = ticket.next.add(1, ordering: .relaxed).oldValue
                        if i >= total { return mine }
                        let t = ContinuousClock.now
                        try await call(i)
                        mine.append((ContinuousClock.now - t).seconds * 1000)
                    }
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        return (Double(total) / (ContinuousClock.now - start).seconds, latencies)
    }
}
