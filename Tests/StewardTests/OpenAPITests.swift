import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Steward
import StewardConfig
import StewardHTTP
import StewardSQLite
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the served document lists exactly the routes the router has, each with its error shapes, every $ref resolving")
    func matchesRoutes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("api.db").path)
        try await store.migrate()
        var logger = Logger(label: "steward.test")
        logger.logLevel = .critical
        let router = StewardAPI(store: store, configuration: .init(), logger: logger).router()
        // The router's own list (Hummingbird's `Router.routes`), not a reading of the sources.
        let routes = Set(
            router.routes.map { "\($0.method.rawValue) \($0.path)" }
                .filter { $0.contains(" /api/v1/") && !$0.hasSuffix("/openapi.json") })
        #expect(routes.count >= 25)
        // The document as served (compiled into the binary from Resources/openapi.json).
        let served = try await Application(router: router, logger: logger).test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return Data(String(buffer: response.body).utf8)
            }
        }
        try await store.close()
        let doc = try #require(JSONSerialization.jsonObject(with: served) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let components = try #require(doc["components"] as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for (method, operation) in operations {
                documented.insert("\(method.uppercased()) \(path)")
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                #expect(responses["400"] != nil && responses["401"] != nil, "\(method) \(path) lacks its error responses")
            }
        }
        #expect(documented == routes, "undocumented: \(routes.subtracting(documented).sorted()); not routed: \(documented.subtracting(routes).sorted())")
        // Every reference points at a component that exists (responses are shared, not written out per route).
        let text = String(decoding: served, as: UTF8.self)
        let refs = try NSRegularExpression(pattern: ##""\$ref": "#/components/([a-zA-Z]+)/([A-Za-z0-9_]+)""##)
        var checked = 0
        for m in refs.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let kind = String(text[Range(m.range(at: 1), in: text)!])
            let name = String(text[Range(m.range(at: 2), in: text)!])
            #expect((components[kind] as? [String: Any])?[name] != nil, "unresolved $ref #/components/\(kind)/\(name)")
            checked += 1
        }
        #expect(checked > 100)
        #expect(((components["responses"] as? [String: Any])?.count ?? 0) >= 4)
    }
}
