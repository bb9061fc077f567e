import Foundation
import Testing

@Suite("Grafana dashboard and metric names")
struct GrafanaDashboardTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Metric names the code emits: every `label: "steward_…"` in the sources.
    static func emitted() throws -> Set<String> {
        var names = Set<String>()
        let files = FileManager.default.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)!
        let pattern = try NSRegularExpression(pattern: #"label: "(steward_[a-z_]+)""#)
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        return names
    }

    static func referenced(in text: String) throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: #"\bsteward_[a-z_]+"#)
        let names = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
        return Set(names.map { $0.replacingOccurrences(of: "_bucket", with: "") }.filter { !$0.hasPrefix("steward_workflow_") || $0 == "steward_workflow_executions_total" })
    }

    @Test("the dashboard is valid JSON and charts only metrics the code emits")
    func dashboard() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("examples/grafana/steward.json"), encoding: .utf8)
        let json = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        #expect(panels.count >= 5)
        let used = try Self.referenced(in: text)
        let emitted = try Self.emitted()
        #expect(used.isSubset(of: emitted), "charted but never emitted: \(used.subtracting(emitted).sorted())")
        for needed in ["steward_queue_depth", "steward_job_attempts_total", "steward_queue_oldest_age_seconds", "steward_workflow_executions_total"] {
            #expect(used.contains(needed))
        }
    }

    @Test("every metric in docs/operations.md is emitted")
    func documented() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let section = text.components(separatedBy: "## Metrics").dropFirst().first?.components(separatedBy: "## ").first ?? ""
        let documented = try Self.referenced(in: section)
        #expect(documented.count >= 8)
        let emitted = try Self.emitted()
        #expect(documented.isSubset(of: emitted), "documented but never emitted: \(documented.subtracting(emitted).sorted())")
    }
}
