import Foundation
import Steward
import Testing

extension StoreConformance {
    static func runRecord(_ id: String, _ definition: WorkflowDefinition, state: WorkflowRunState = .running, at: Date) -> WorkflowRunRecord {
        WorkflowRunRecord(
            id: id, definition: definition, state: state, input: .object(["n": .integer(1)]), output: nil, error: nil, tasks: [:],
            finisher: nil, timer: nil, compensations: [], compensationFinisher: nil, generation: 1, halted: false, haltReason: nil,
            cancelRequested: false, createdAt: at, updatedAt: at, finishedAt: nil)
    }

    static let workflows: [ConformanceCase] = [
        ConformanceCase("workflow definitions are kept per name and version; a stored version is never overwritten") { store, clock in
            let v1 = WorkflowDefinition(name: "etl", version: "1", tasks: [WorkflowTask("a")])
            var v2 = v1
            v2.version = "2"
            let first = try StoredWorkflow(v1, createdAt: clock.now())
            #expect(try await store.insertWorkflow(first))
            clock.advance(by: .seconds(1))
            let second = try StoredWorkflow(v2, createdAt: clock.now())
            #expect(try await store.insertWorkflow(second))
            var changed = v1
            changed.tasks.append(WorkflowTask("b"))
            let again = try StoredWorkflow(changed, createdAt: clock.now())
            #expect(try await store.insertWorkflow(again) == false)
            #expect(try await store.workflow(name: "etl", version: "1")?.definition == v1)
            #expect(try await store.workflow(name: "etl", version: nil)?.definition.version == "2")
            #expect(try await store.workflow(name: "nope", version: nil) == nil)
            #expect(try await store.workflows().map(\.definition.version) == ["1", "2"])
        },
        ConformanceCase("a workflow run change enqueues its jobs, writes the record built from their ids and its events, atomically") { store, clock in
            let definition = WorkflowDefinition(name: "w", tasks: [WorkflowTask("a")])
            let created = try await store.changeWorkflowRun("r1", now: clock.now()) { current in
                #expect(current == nil)
                return WorkflowRunChange(
                    jobs: [NewJob(queue: "wf", name: "a"), NewJob(queue: "wf", name: "fin", dependsOnBatch: [0])],
                    events: [WorkflowEvent(at: clock.now(), kind: "created"), WorkflowEvent(at: clock.now(), kind: "queued", task: "a")]
                ) { results in
                    var r = runRecord("r1", definition, at: clock.now())
                    r.tasks["a"] = .init(job: results[0].id, dispatcher: nil, generation: 1)
                    r.finisher = results[1].id
                    return r
                }
            }
            let record = try #require(created)
            let job = try #require(try await store.job(record.tasks["a"]!.job, now: clock.now()))
            #expect(job.name == "a" && job.state == .available)
            #expect(try await state(store, clock, record.finisher!) == .waiting)
            // A change that throws leaves nothing behind.
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                _ = try await store.changeWorkflowRun("r1", now: clock.now()) { _ in
                    WorkflowRunChange(jobs: [NewJob(queue: "wf", name: "b")]) { _ in throw Refused() }
                }
            }
            #expect(try await store.jobs(JobFilter(name: "b"), now: clock.now()).isEmpty)
            // Nothing to change: the current record comes back.
            #expect(try await store.changeWorkflowRun("r1", now: clock.now()) { _ in nil } == record)
            #expect(try await store.workflowRunState("r1") == .running)
            clock.advance(by: .seconds(5))
            let finished = try await store.changeWorkflowRun("r1", now: clock.now()) { current in
                WorkflowRunChange(events: [WorkflowEvent(at: clock.now(), kind: "finished", message: "ok")]) { _ in
                    var r = current!
                    r.state = .succeeded
                    r.output = .object(["x": .integer(9_007_199_254_740_993)])
                    r.finishedAt = clock.now()
                    return r
                }
            }
            #expect(finished?.state == .succeeded)
            #expect(try await store.workflowRun("r1") == finished)
            #expect(try await store.workflowRunState("r1") == .succeeded)
            #expect(try await store.workflowRunState("nope") == nil)
            #expect(try await store.workflowEvents("r1").map(\.kind) == ["created", "queued", "finished"])
            #expect(try await store.workflowEvents("r1")[1].task == "a")
            _ = try await store.changeWorkflowRun("r2", now: clock.now()) { _ in
                WorkflowRunChange { _ in runRecord("r2", definition, at: clock.now()) }
            }
            #expect(try await store.workflowRuns(WorkflowRunFilter()).map(\.id) == ["r2", "r1"])
            #expect(try await store.workflowRuns(WorkflowRunFilter(state: .succeeded)).map(\.id) == ["r1"])
            #expect(try await store.workflowRuns(WorkflowRunFilter(workflow: "other")).isEmpty)
            let both = try await store.jobs(ids: [record.finisher!, record.tasks["a"]!.job, JobID(999_999)], now: clock.now())
            #expect(both.map(\.id) == [record.tasks["a"]!.job, record.finisher!])
        },
    ]
}
