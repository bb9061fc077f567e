import Foundation
import Steward
import Testing

/// The Swift example of docs/workflows.md, run as written (with a worker and its handlers).
@Suite("Workflows: the Swift example")
struct WorkflowSwiftExampleTests {
    @Test("a workflow built in Swift: extract -> load, with a template over the upstream output", arguments: StoreKind.enabled)
    func swiftExample(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let registry = JobRegistry()
        registry.register(name: "extract") { payload, _ in
            guard case .object(let o) = json(payload), o.isEmpty else { throw PermanentJobError("extract takes no input") }
            return #"[{"id":1},{"id":2}]"#
        }
        registry.register(name: "load") { payload, _ in
            guard case .object(let o) = json(payload), case .array(let rows)? = o["rows"] else { throw PermanentJobError("bad \(payload)") }
            return "\(rows.count)"
        }
        try await withWorkflowWorker(store, registry) { _ in
            // --- the example, as in docs/workflows.md ---
            let etl = WorkflowDefinition(
                name: "etl",
                tasks: [
                    WorkflowTask("extract"),
                    WorkflowTask("load", input: ["rows": "{{tasks.extract.output}}"], dependsOn: ["extract"]),
                ])
            let admin = WorkflowAdmin(store: store)
            _ = try await admin.apply([etl])
            let run = try await admin.run("etl", input: ["table": "orders"])
            let done = try await admin.wait(run.id, timeout: .seconds(60))
            // ---
            #expect(done.state == .succeeded)
            #expect(done.output == ["load": 2])
            #expect(done.input == ["table": "orders"])
        }
        try await store.close()
    }
}
