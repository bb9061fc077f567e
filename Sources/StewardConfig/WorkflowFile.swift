import Foundation
import Steward
import Yams

/// Workflow definitions read from YAML (see docs/workflows.md):
///
/// ```yaml
/// workflows:
///   orders:
///     version: 1
///     timeout: 10m
///     error_handling: {type: compensating_actions}
///     tasks:
///       - name: reserve
///         job: inventory.reserve
///         input: {order: "{{input.order_id}}"}
///         compensate: {job: inventory.release, input: {order: "{{input.order_id}}"}}
/// ```
///
/// Every definition is validated; the first problem is a ``ConfigFileError`` with
/// `file:line:column`.
public enum WorkflowFile {
    /// Reads and validates the workflows in `path`.
    public static func load(path: String) throws -> [WorkflowDefinition] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        return try parse(text, file: path)
    }

    /// Parses and validates workflow YAML.
    public static func parse(_ text: String, file: String = "<workflows>") throws -> [WorkflowDefinition] {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        let top = try reader.mapping(root, "the file", allowed: ["workflows"])
        guard let workflowsNode = top["workflows"] else { throw reader.error(root, "missing 'workflows'") }
        var out: [WorkflowDefinition] = []
        for (keyNode, value) in try reader.pairs(workflowsNode, "workflows") {
            out.append(try definition(name: try reader.string(keyNode, "workflow name"), keyNode: keyNode, value, reader))
        }
        if out.isEmpty { throw reader.error(workflowsNode, "no workflows") }
        return out
    }

    /// One workflow's mapping; also used by `steward serve`'s configuration.
    package static func definition(name: String, keyNode: Node, _ node: Node, _ reader: YAMLReader) throws -> WorkflowDefinition {
        let what = "workflow '\(name)'"
        let m = try reader.mapping(node, what, allowed: ["version", "timeout", "error_handling", "tasks", "output", "description"])
        var definition = WorkflowDefinition(name: name, tasks: [])
        if let v = m["version"] { definition.version = try reader.string(v, "\(what) version") }
        if let t = m["timeout"] { definition.timeoutSeconds = try reader.duration(t, "\(what) timeout") }
        if let e = m["error_handling"] {
            let eh = try reader.mapping(e, "\(what) error_handling", allowed: ["type"])
            guard let typeNode = eh["type"] else { throw reader.error(e, "\(what) error_handling: missing 'type'") }
            let type = try reader.string(typeNode, "\(what) error_handling type")
            guard let parsed = WorkflowDefinition.ErrorHandling(rawValue: type) else {
                let names = WorkflowDefinition.ErrorHandling.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(typeNode, "\(what) error_handling: unknown type '\(type)' (one of \(names))")
            }
            definition.errorHandling = parsed
        }
        if let o = m["output"] { definition.output = reader.json(o) }
        guard let tasksNode = m["tasks"] else { throw reader.error(node, "\(what): missing 'tasks'") }
        var taskNodes: [Node] = []
        for taskNode in try reader.sequence(tasksNode, "\(what) tasks") {
            definition.tasks.append(try task(taskNode, workflow: what, reader))
            taskNodes.append(taskNode)
        }
        try definition.validate { location, message in
            let at: Node
            switch location {
            case .workflow: at = keyNode
            case .output: at = m["output"] ?? keyNode
            case .task(let i): at = reader.values(of: taskNodes[i])["name"] ?? taskNodes[i]
            case .field(let i, let field): at = reader.values(of: taskNodes[i])[field] ?? taskNodes[i]
            case .dependency(let i, let j):
                let list = reader.values(of: taskNodes[i])["depends_on"]?.sequence.map(Array.init) ?? []
                at = j < list.count ? list[j] : taskNodes[i]
            }
            return reader.error(at, message)
        }
        return definition
    }

    static let taskKeys: Set<String> = [
        "name", "job", "input", "depends_on", "trigger", "when", "retry", "timeout", "queue", "priority", "compensate", "map",
        "parallelism", "tolerate_failures", "description",
    ]

    static func task(_ node: Node, workflow: String, _ reader: YAMLReader) throws -> WorkflowTask {
        let m = try reader.mapping(node, "\(workflow) task", allowed: taskKeys)
        guard let nameNode = m["name"] else { throw reader.error(node, "\(workflow): a task without 'name'") }
        let name = try reader.string(nameNode, "\(workflow) task name")
        let what = "\(workflow) task '\(name)'"
        var task = WorkflowTask(name)
        if let j = m["job"] { task.job = try reader.string(j, "\(what) job") }
        if let i = m["input"] { task.input = reader.json(i) }
        if let d = m["depends_on"] {
            task.dependsOn = d.scalar != nil ? [try reader.string(d, "\(what) depends_on")]
                : try reader.sequence(d, "\(what) depends_on").map { try reader.string($0, "\(what) depends_on") }
        }
        if let t = m["trigger"] {
            let text = try reader.string(t, "\(what) trigger")
            guard let trigger = WorkflowTask.Trigger(rawValue: text) else {
                let names = WorkflowTask.Trigger.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(t, "\(what) trigger: unknown trigger '\(text)' (one of \(names))")
            }
            task.trigger = trigger
        }
        if let w = m["when"] { task.when = try reader.string(w, "\(what) when") }
        if let r = m["retry"] { task.retry = try retry(r, what: "\(what) retry", reader) }
        if let t = m["timeout"] { task.timeoutSeconds = try reader.duration(t, "\(what) timeout") }
        if let q = m["queue"] { task.queue = try reader.string(q, "\(what) queue") }
        if let p = m["priority"] { task.priority = try reader.integer(p, "\(what) priority", in: NewJob.integerRange) }
        if let c = m["compensate"] {
            let cm = try reader.mapping(c, "\(what) compensate", allowed: ["job", "input"])
            guard let job = cm["job"] else { throw reader.error(c, "\(what) compensate: missing 'job'") }
            task.compensate = WorkflowTask.Compensation(
                job: try reader.string(job, "\(what) compensate job"), input: cm["input"].map(reader.json) ?? .object([:]))
        }
        if let map = m["map"] { task.map = try reader.string(map, "\(what) map") }
        if let p = m["parallelism"] { task.parallelism = try reader.integer(p, "\(what) parallelism", in: 1...1_000_000) }
        if let t = m["tolerate_failures"] { task.tolerateFailures = try reader.integer(t, "\(what) tolerate_failures", in: 0...Int(Int32.max)) }
        return task
    }

    /// `{max_attempts, backoff: {type, initial, max, multiplier, step}, retry_on}`: the shape
    /// of queue retry policies in configuration files.
    package static func retry(_ node: Node, what: String, _ reader: YAMLReader) throws -> RetryPolicy {
        let m = try reader.mapping(node, what, allowed: ["max_attempts", "backoff", "retry_on", "jitter"])
        let attempts = try m["max_attempts"].map { try reader.integer($0, "\(what) max_attempts", in: 1...Int(Int32.max)) } ?? 5
        var type = "exponential"
        var initial = 1.0
        var maximum = 600.0
        var multiplier = 2.0
        var step = 1.0
        if let b = m["backoff"] {
            let bm = try reader.mapping(b, "\(what) backoff", allowed: ["type", "initial", "max", "multiplier", "step"])
            if let t = bm["type"] {
                type = try reader.string(t, "\(what) backoff type")
                guard ["exponential", "linear", "fixed"].contains(type) else {
                    throw reader.error(t, "\(what) backoff: unknown type '\(type)' (exponential, linear or fixed)")
                }
            }
            if let v = bm["initial"] { initial = try reader.duration(v, "\(what) backoff initial") }
            if let v = bm["max"] { maximum = try reader.duration(v, "\(what) backoff max") }
            if let v = bm["multiplier"] { multiplier = try reader.number(v, "\(what) backoff multiplier") }
            if let v = bm["step"] { step = try reader.duration(v, "\(what) backoff step") }
        }
        let jitter = try m["jitter"].map { try reader.number($0, "\(what) jitter") }
        let retryOn = try m["retry_on"].map { try reader.sequence($0, "\(what) retry_on").map { try reader.string($0, "\(what) retry_on") } }
        var policy: RetryPolicy
        switch type {
        case "linear":
            policy = .linear(
                maxAttempts: attempts, initial: .seconds(double: initial), step: .seconds(double: step), max: .seconds(double: maximum),
                jitter: jitter ?? 0, retryOn: retryOn)
        case "fixed":
            policy = .fixed(maxAttempts: attempts, delay: .seconds(double: initial), jitter: jitter ?? 0, retryOn: retryOn)
        default:
            policy = .exponential(
                maxAttempts: attempts, initial: .seconds(double: initial), max: .seconds(double: maximum), multiplier: multiplier,
                jitter: jitter ?? 0.1, retryOn: retryOn)
        }
        do { try policy.validate() } catch { throw reader.error(node, "\(what): \(error)") }
        return policy
    }
}
