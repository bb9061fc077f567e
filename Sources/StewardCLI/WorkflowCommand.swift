import ArgumentParser
import Foundation
import Steward
import StewardConfig

struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "Apply workflow definitions; run, inspect, cancel and retry executions.",
        discussion: "Workers run a workflow's tasks like any job: start `steward worker` on the queues its tasks use. See docs/workflows.md.",
        subcommands: [Apply.self, Run.self, Signal.self, Status.self, Logs.self, Cancel.self, Retry.self, List.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register or upgrade the workflows of a YAML file (a stored version with a different body is refused).")

        @Argument(help: "The YAML file.") var file: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let definitions = try WorkflowFile.load(path: file)
            let applied = try await storeOptions.with { try await WorkflowAdmin(store: $0).apply(definitions) }
            if json { return try printJSON(applied) }
            for a in applied { print("\(a.name) version \(a.version): \(a.status)") }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start an execution; prints its id (with --wait, its final state and output).",
            discussion: """
                A name with no applied definition starts a code workflow (docs/durable.md) of that name on --queue: it waits \
                there until a worker that registers it takes it. With --wait: exit 0 when it succeeded, 1 when it failed, was \
                compensated or cancelled, 3 when --wait-timeout passed first.
                """)

        @Argument(help: "The workflow's name.") var name: String
        @Option(help: "The input as JSON; @FILE reads a file, - reads standard input.") var input = "{}"
        @Option(help: "Run this version (default: the latest applied).") var version: String?
        @Option(help: "A code run's id (default: a new UUID); starting an id that exists returns that run.") var id: String?
        @Option(help: "The queue a code run's driver job waits on.") var queue = "default"
        @Option(help: "Cancel a code run at its first step boundary after this long.") var timeout: String?
        @Flag(help: "Wait for the execution to end.") var wait = false
        @Option(help: "With --wait: give up after this long (exit 3).") var waitTimeout = "30s"
        @Flag(help: "Print JSON (with --wait, the execution as `workflow status --json` shows it).") var json = false
        @OptionGroup var storeOptions: StoreOptions

        /// Whether `name` looks like a code workflow some worker runs: one this binary's workers
        /// run, or one with an earlier run. Otherwise the new run may be a typo, and is said to wait.
        static func workerRuns(_ name: String, store: any StewardStore) async throws -> Bool {
            if BuiltinJobs.registry(testJobs: true).names.contains(name) { return true }
            return try await store.durableRuns(workflow: name, state: nil, limit: 2).count > 1
        }

        func run() async throws {
            let waitFor = try parseDuration(waitTimeout, flag: "--wait-timeout")
            let limit = try timeout.map { try parseDuration($0, flag: "--timeout") }
            guard let value = JSONValue(parsing: try readPayload(input)) else {
                throw ValidationError("--input: not valid JSON: \(input.prefix(80))")
            }
            let outcome: Result<WorkflowRunView, WorkflowWaitTimedOut> = try await storeOptions.with { store in
                let admin = WorkflowAdmin(store: store)
                let run = try await admin.start(name, version: version, input: value, id: id, queue: queue, timeout: limit)
                if run.kind == "code", run.steps.isEmpty, run.state == "running", !(try await Self.workerRuns(name, store: store)) {
                    FileHandle.standardError.write(
                        Data(
                            ("note: no workflow definition is named '\(name.printable)'; started a code workflow run that waits on queue "
                                + "'\(queue.printable)' until a worker that registers '\(name.printable)' takes it\n").utf8))
                }
                guard wait else { return .success(run) }
                do {
                    return .success(try await admin.waitForEnd(run.id, timeout: waitFor))
                } catch let timedOut as WorkflowWaitTimedOut {
                    return .failure(timedOut)
                }
            }
            switch outcome {
            case .failure(let timedOut):
                FileHandle.standardError.write(Data("Error: \(timedOut)\n".utf8))
                throw ExitCode(3)
            case .success(let view):
                if !wait { return json ? try printJSON(["id": view.id]) : print(view.id) }
                if json { try printJSON(view) } else { printStatus(view) }
                if view.state != WorkflowRunState.succeeded.rawValue { throw ExitCode(1) }
            }
        }
    }

    struct Signal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a message to a code run on a topic; a run waiting on that topic goes on at once.")

        @Argument(help: "The run's id.") var id: String
        @Argument(help: "The topic its `receive` waits on.") var topic: String
        @Option(help: "The message as JSON; @FILE reads a file, - reads standard input.") var payload = "{}"
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let value = JSONValue(parsing: try readPayload(payload)) else {
                throw ValidationError("--payload: not valid JSON: \(payload.prefix(80))")
            }
            try await storeOptions.with { try await WorkflowAdmin(store: $0).signal(id, topic: topic, payload: value) }
            print("workflow run \(id): message sent on '\(topic.printable)'")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an execution: its state and each task's state, attempts, output and error.")

        @Argument(help: "The execution's id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let view = try await storeOptions.with { try await WorkflowAdmin(store: $0).status(id) }
            if json { return try printJSON(view) }
            printStatus(view)
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an execution's log: every task attempt and engine event, by time.")

        @Argument(help: "The execution's id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let events = try await storeOptions.with { try await WorkflowAdmin(store: $0).logs(id) }
            if json { return try printJSON(events) }
            for e in events {
                var line = "\(e.at)  \(e.event.padding(20)) \((e.task ?? "-").printable.padding(16))"
                if let a = e.attempt { line += " attempt \(a)" }
                if let w = e.worker, !w.isEmpty { line += " on \(w.printable)" }
                if let m = e.message, !m.isEmpty { line += "  \(m.printable)" }
                print(line)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel an execution: running tasks are cancelled, nothing new starts (a code run: at its next step boundary).")

        @Argument(help: "The execution's id.") var id: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let view = try await storeOptions.with { try await WorkflowAdmin(store: $0).cancel(id) }
            print(
                view.kind == "code"
                    ? "workflow run \(id): cancelling (at its next step boundary)"
                    : "workflow run \(id): cancelling (running tasks stop at their next heartbeat)")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a failed or cancelled execution again from its failed tasks (succeeded tasks keep their outputs).")

        @Argument(help: "The execution's id.") var id: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let run = try await storeOptions.with { try await WorkflowAdmin(store: $0).retry(id) }
            print("workflow run \(id): running again (generation \(run.generation))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored workflows and recent executions.")

        @Option(help: "How many executions to show.") var limit = 20
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard limit >= 1 else { throw ValidationError("--limit: must be at least 1, got \(limit)") }
            let list = try await storeOptions.with { try await WorkflowAdmin(store: $0).list(limit: limit) }
            if json { return try printJSON(list) }
            print(list.workflows.isEmpty ? "no workflows applied" : "workflows:")
            for w in list.workflows { print("  \(w.name.printable.padding(24)) version \(w.version.printable.padding(8)) \(w.tasks) tasks  applied \(w.createdAt)") }
            print(list.runs.isEmpty ? "no executions" : "executions:")
            for r in list.runs {
                let version = r.version.map { "v" + $0.printable } ?? "code"
                print("  \(r.id)  \(r.workflow.printable.padding(20)) \(version.padding(7)) \(r.state.padding(20)) started \(r.createdAt)")
            }
        }
    }
}

/// The human form of `workflow status`.
func printStatus(_ view: WorkflowRunView) {
    let version = view.version.map { "version \($0.printable)" } ?? "(code workflow)"
    print("workflow run \(view.id)  \(view.workflow.printable) \(version)  generation \(view.generation)")
    print("state:    \(view.state)\(view.error.map { " (\($0.printable))" } ?? "")")
    if let w = view.waiting {
        let what = w.topic.map { "message on '\($0.printable)'" } ?? w.child.map { "child run \($0)" } ?? w.kind
        print("waiting:  \(what)\(w.until.map { " until \($0)" } ?? "")")
    }
    print("input:    \(view.input.jsonText.printable)")
    if let output = view.output { print("output:   \(output.jsonText.printable)") }
    if view.kind == "code" {
        print("steps:")
        for s in view.steps {
            var line = "  \(String(s.seq).padding(4)) \(s.kind.padding(8)) \(s.name.printable.padding(20)) \(s.state.padding(10)) attempts \(s.attempts)"
            if let u = s.until, s.state == "pending" { line += "  until \(u)" }
            if let e = s.error { line += "  error: \(e.printable)" }
            print(line)
            if let o = s.output, s.kind != "sleep" { print("       output: \(String(o.jsonText.prefix(200)).printable)") }
        }
        return
    }
    print("tasks:")
    for t in view.tasks {
        var line = "  \(t.name.printable.padding(20)) \(t.state.padding(12)) attempts \(t.attempts)"
        if let n = t.items { line += "  items \(n)" }
        if let e = t.error { line += "  error: \(e.printable)" }
        print(line)
        if let o = t.output { print("      output: \(String(o.jsonText.prefix(200)).printable)") }
    }
}
