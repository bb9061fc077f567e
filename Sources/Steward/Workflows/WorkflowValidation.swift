import Foundation

/// Where in a definition a problem is, so a YAML file can point at the line.
public enum WorkflowLocation: Hashable, Sendable {
    /// The workflow as a whole.
    case workflow
    /// The workflow's `output`.
    case output
    /// Task `index` (its name).
    case task(Int)
    /// A field of task `index` (`depends_on`, `input`, `when`, …).
    case field(Int, String)
    /// The `item`-th entry of task `index`'s `depends_on`.
    case dependency(Int, Int)
}

extension WorkflowDefinition {
    /// Checks the definition before anything is stored: names, duplicate tasks, unknown
    /// dependencies, cycles (named `a -> b -> a`), templates, conditions, trigger rules, fan-out
    /// sources, retry policies. `place` turns a location into an error (a YAML file gives
    /// `file:line:column`). Returns the definition's parsed templates and conditions, which the
    /// engine uses (``CompiledWorkflow/of(_:)``).
    @discardableResult
    public func validate(place: (WorkflowLocation, String) -> any Error = { _, message in WorkflowDefinitionError(message) })
        throws -> CompiledWorkflow
    {
        let label = "workflow '\(name)'"
        func fail(_ at: WorkflowLocation, _ message: String) -> any Error { place(at, "\(label): \(message)") }
        do { try NewJob.checkName(name, field: "name") } catch { throw fail(.workflow, "\(error)") }
        if version.isEmpty { throw fail(.workflow, "version: must not be empty") }
        if let t = timeoutSeconds, !(t > 0 && t <= DurationParser.maximumSeconds) {
            throw fail(.workflow, "timeout: must be positive and at most 100 years")
        }
        if tasks.isEmpty { throw fail(.workflow, "no tasks") }
        var index: [String: Int] = [:]
        for (i, task) in tasks.enumerated() {
            do { try NewJob.checkName(task.name, field: "task name") } catch { throw fail(.task(i), "\(error)") }
            if index[task.name] != nil { throw fail(.task(i), "duplicate task '\(task.name)'") }
            index[task.name] = i
        }
        for (i, task) in tasks.enumerated() {
            for (j, dependency) in task.dependsOn.enumerated() {
                guard index[dependency] != nil else {
                    throw fail(.dependency(i, j), "task '\(task.name)' depends on unknown task '\(dependency)'")
                }
                if task.dependsOn[..<j].contains(dependency) {
                    throw fail(.dependency(i, j), "task '\(task.name)' lists '\(dependency)' twice in depends_on")
                }
            }
        }
        if let cycle = Self.cycle(in: tasks) {
            throw fail(.field(index[cycle[0]]!, "depends_on"), "cycle: \(cycle.joined(separator: " -> "))")
        }
        let ancestors = Self.ancestors(of: tasks)
        var compiled = CompiledWorkflow(tasks: [:], output: nil)
        for (i, task) in tasks.enumerated() {
            let what = "task '\(task.name)'"
            do { try NewJob.checkName(task.job, field: "job") } catch { throw fail(.field(i, "job"), "\(what): \(error)") }
            if let queue = task.queue {
                do { try NewJob.checkName(queue, field: "queue") } catch { throw fail(.field(i, "queue"), "\(what): \(error)") }
            }
            if let p = task.priority, !NewJob.integerRange.contains(p) {
                throw fail(.field(i, "priority"), "\(what): priority \(p) is outside the 32-bit range")
            }
            if let t = task.timeoutSeconds, !(t > 0 && t <= DurationParser.maximumSeconds) {
                throw fail(.field(i, "timeout"), "\(what): timeout must be positive and at most 100 years")
            }
            if let retry = task.retry {
                do { try retry.validate() } catch { throw fail(.field(i, "retry"), "\(what): retry: \(error)") }
            }
            // Paths may read the workflow's input, and outputs of tasks upstream of this one.
            func checkPaths(_ paths: [WorkflowPath], field: String, extraTask: String? = nil, allowItem: Bool) throws {
                for path in paths {
                    if (path.root == "item" || path.root == "index"), !allowItem {
                        throw fail(.field(i, field), "\(what) \(field): '{{\(path)}}' is only defined inside a map task's input")
                    }
                    guard path.root == "tasks" else { continue }
                    guard let other = path.taskName else {
                        throw fail(.field(i, field), "\(what) \(field): '\(path)' must name a task (tasks.NAME.output…)")
                    }
                    guard index[other] != nil else {
                        throw fail(.field(i, field), "\(what) \(field): '\(path)' reads unknown task '\(other)'")
                    }
                    guard ancestors[task.name]!.contains(other) || other == extraTask else {
                        throw fail(
                            .field(i, field),
                            "\(what) \(field): '\(path)' reads task '\(other)', which is not upstream of '\(task.name)' (add it to depends_on)")
                    }
                    if path.steps.count >= 3, case .key(let part) = path.steps[2], !["output", "state", "error"].contains(part) {
                        throw fail(.field(i, field), "\(what) \(field): '\(path)': after the task name comes output, state or error")
                    }
                }
            }
            let input: CompiledJSON
            do {
                input = try CompiledJSON(task.input)
                try checkPaths(input.paths, field: "input", allowItem: task.map != nil)
            } catch let e as WorkflowExpressionError { throw fail(.field(i, "input"), "\(what) input: \(e)") }
            var condition: WorkflowCondition? = nil
            if let when = task.when {
                do {
                    condition = try WorkflowCondition(parsing: when)
                    try checkPaths(condition!.paths, field: "when", allowItem: false)
                } catch let e as WorkflowExpressionError {
                    throw fail(.field(i, "when"), "\(what) when: \(e)")
                }
            }
            var mapSource: WorkflowTemplate? = nil
            if let map = task.map {
                let template: WorkflowTemplate
                do { template = try WorkflowTemplate(parsing: map) } catch let e as WorkflowExpressionError {
                    throw fail(.field(i, "map"), "\(what) map: \(e)")
                }
                guard template.parts.count == 1, case .path(let source) = template.parts[0] else {
                    throw fail(.field(i, "map"), "\(what) map: '\(map)' is not a list source; write one template such as '{{tasks.extract.output.rows}}'")
                }
                try checkPaths([source], field: "map", allowItem: false)
                mapSource = template
                if let p = task.parallelism, p < 1 { throw fail(.field(i, "parallelism"), "\(what): parallelism must be at least 1, got \(p)") }
                if task.tolerateFailures < 0 {
                    throw fail(.field(i, "tolerate_failures"), "\(what): tolerate_failures must be 0 or more, got \(task.tolerateFailures)")
                }
            } else if task.parallelism != nil || task.tolerateFailures != 0 {
                throw fail(.field(i, task.parallelism != nil ? "parallelism" : "tolerate_failures"), "\(what): parallelism and tolerate_failures need a map")
            }
            var compensate: CompiledJSON? = nil
            if let c = task.compensate {
                do { try NewJob.checkName(c.job, field: "compensate job") } catch { throw fail(.field(i, "compensate"), "\(what): \(error)") }
                do {
                    compensate = try CompiledJSON(c.input)
                    try checkPaths(compensate!.paths, field: "compensate", extraTask: task.name, allowItem: false)
                } catch let e as WorkflowExpressionError { throw fail(.field(i, "compensate"), "\(what) compensate: \(e)") }
            }
            let paths = input.paths + (condition?.paths ?? []) + (mapSource?.paths ?? [])
            compiled.tasks[task.name] = CompiledWorkflow.Task(
                input: input, when: condition, map: mapSource, compensate: compensate,
                reads: Set(task.dependsOn).union(paths.compactMap(\.taskName)))
        }
        if let output {
            do {
                let rendered = try CompiledJSON(output)
                compiled.output = rendered
                for path in rendered.paths {
                    if path.root == "item" || path.root == "index" { throw fail(.output, "output: '{{\(path)}}' is only defined inside a map task") }
                    if path.root == "tasks", index[path.taskName ?? ""] == nil {
                        throw fail(.output, "output: '\(path)' reads unknown task '\(path.taskName ?? "")'")
                    }
                }
            } catch let e as WorkflowExpressionError { throw fail(.output, "output: \(e)") }
        }
        return compiled
    }

    /// A dependency cycle as task names, first repeated at the end (`a -> b -> a`: a depends on
    /// b, which depends on a); `nil` if none.
    static func cycle(in tasks: [WorkflowTask]) -> [String]? {
        let deps = Dictionary(uniqueKeysWithValues: tasks.map { ($0.name, $0.dependsOn) })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 2 { return nil }
            if state[name] == 1 {
                return Array(stack[stack.firstIndex(of: name)!...]) + [name]
            }
            state[name] = 1
            stack.append(name)
            for d in deps[name] ?? [] { if let c = visit(d) { return c } }
            stack.removeLast()
            state[name] = 2
            return nil
        }
        for t in tasks { if let c = visit(t.name) { return c } }
        return nil
    }

    /// Every task's transitive upstream tasks (requires no cycle).
    static func ancestors(of tasks: [WorkflowTask]) -> [String: Set<String>] {
        let deps = Dictionary(uniqueKeysWithValues: tasks.map { ($0.name, $0.dependsOn) })
        var memo: [String: Set<String>] = [:]
        func up(_ name: String) -> Set<String> {
            if let m = memo[name] { return m }
            var out = Set<String>()
            for d in deps[name] ?? [] { out.insert(d); out.formUnion(up(d)) }
            memo[name] = out
            return out
        }
        for t in tasks { _ = up(t.name) }
        return memo
    }

    /// The tasks in an order where each comes after its dependencies (declaration order among equals).
    var topologicalOrder: [WorkflowTask] {
        var placed = Set<String>()
        var out: [WorkflowTask] = []
        while out.count < tasks.count {
            for t in tasks where !placed.contains(t.name) && t.dependsOn.allSatisfy(placed.contains) {
                placed.insert(t.name)
                out.append(t)
            }
        }
        return out
    }
}

/// A workflow definition that is not valid (built in Swift; a YAML file gives a
/// `ConfigFileError` (StewardConfig) with its line instead).
public struct WorkflowDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
