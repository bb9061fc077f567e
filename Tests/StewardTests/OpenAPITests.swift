import Foundation
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `METHOD /path/{param}` of every route the API registers (read from its sources, API*.swift).
    static func routes() throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/StewardHTTP")
        let text = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("API") && $0.hasSuffix(".swift") }.sorted()
            .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let pattern = try NSRegularExpression(pattern: #"route\(api, \.(get|post|put|delete), "([^"]+)""#)
        return Set(
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
                let method = String(text[Range(m.range(at: 1), in: text)!]).uppercased()
                let path = String(text[Range(m.range(at: 2), in: text)!]).split(separator: "/")
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(method) /api/v1/\(path)"
            })
    }

    @Test("the document lists exactly the routes the router has, each with its error shape")
    func matchesRoutes() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Sources/StewardHTTP/OpenAPIDocument.swift"), encoding: .utf8)
        let json = String(text[text.range(of: "#\"\"\"\n")!.upperBound..<text.range(of: "\n\"\"\"#")!.lowerBound])
        let doc = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for (method, operation) in operations {
                documented.insert("\(method.uppercased()) \(path)")
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                #expect(responses["400"] != nil && responses["401"] != nil, "\(method) \(path) lacks its error responses")
            }
        }
        let routes = try Self.routes()
        #expect(routes.count >= 25)
        #expect(documented == routes, "undocumented: \(routes.subtracting(documented).sorted()); not routed: \(documented.subtracting(routes).sorted())")
    }
}
