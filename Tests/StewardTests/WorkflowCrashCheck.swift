import Foundation
import Steward
import Testing

extension WorkerProcesses {
    /// A workflow (a chain, then a fan-out of 20 items, then a last task) runs on two `steward
    /// worker` processes; twice, the process running a task is killed with SIGKILL and replaced.
    /// The execution still succeeds, every task and item runs, and only work interrupted by a
    /// kill runs again (at least once, never lost).
    func checkWorkflowCrash(on store: any StewardStore, label: String) async throws {
        func append(_ line: String, sleepMs: Int) -> JSONValue {
            .object(["file": .string(outPath), "line": .string(line), "sleepMs": .integer(Int64(sleepMs))])
        }
        var tasks = (0..<5).map { i in
            WorkflowTask("step\(i)", job: "steward.append", input: append("step\(i)", sleepMs: 300), dependsOn: i == 0 ? [] : ["step\(i - 1)"], queue: queue)
        }
        tasks.append(WorkflowTask("list", job: "steward.echo", input: .object(["items": .array((0..<20).map { .integer(Int64($0)) })]), dependsOn: ["step4"], queue: queue))
        tasks.append(
            WorkflowTask(
                "fan", job: "steward.append", input: append("item{{item}}", sleepMs: 100), dependsOn: ["list"], queue: queue,
                map: "{{tasks.list.output.items}}", parallelism: 4))
        tasks.append(WorkflowTask("last", job: "steward.append", input: append("last", sleepMs: 0), dependsOn: ["fan"], queue: queue))
        let admin = WorkflowAdmin(store: store)
        _ = try await admin.apply([WorkflowDefinition(name: "crashy", tasks: tasks)])
        let run = try await admin.run("crashy")
        let flags = ["--lease", "2s", "--rescue-interval", "300ms"]
        var procs = try (0..<2).map { try spawn("wf\($0)", concurrency: 4, extra: flags) }
        var kills = 0
        for pause in [900, 2_200] {
            try await Task.sleep(for: .milliseconds(pause))
            // Kill the process holding a running job of the execution (the first, if none is).
            let running = try await store.jobs(JobFilter(queue: queue, state: .running, limit: 50), now: Date())
            let owner = running.first?.leaseOwner ?? ""
            let victim = procs.firstIndex { owner.contains(":\($0.processIdentifier):") } ?? 0
            await kill9(procs[victim])
            kills += 1
            procs[victim] = try spawn("wf\(victim)-\(kills)", concurrency: 4, extra: flags)
        }
        let done = try await eventually(timeout: .seconds(90)) { try await store.workflowRun(run.id)?.state.isFinished == true }
        var statuses: [Int32?] = []
        for p in procs { statuses.append(await stop(p)) }
        let final = try await admin.status(run.id)
        #expect(done && final.state == "succeeded", "\(label): \(final.state) \(final.error ?? ""); logs:\n\(logs())")
        #expect(final.tasks.allSatisfy { $0.state == "succeeded" }, "\(label): \(final.tasks.map { "\($0.name)=\($0.state)" })")
        let counts = try lines()
        let expected = (0..<5).map { "step\($0)" } + (0..<20).map { "item\($0)" } + ["last"]
        #expect(Set(counts.keys) == Set(expected), "\(label): lines \(counts.keys.sorted())")
        let rescued = try await admin.logs(run.id).filter { $0.event == "retried" && $0.message?.contains("LeaseExpired") == true }.count
        #expect(rescued >= 1, "\(label): no task was running when a worker was killed; the test proves little")
        let repeated = counts.values.reduce(0) { $0 + $1 - 1 }
        #expect(repeated <= kills * 4, "\(label): \(repeated) repeated runs for \(kills) kills")
        print("\(label) workflow crash test: \(kills) SIGKILLs, \(rescued) tasks rescued, \(repeated) task runs repeated (at-least-once)")
        #expect(statuses.allSatisfy { $0 == 0 }, "workers did not exit cleanly: \(statuses)")
    }
}
