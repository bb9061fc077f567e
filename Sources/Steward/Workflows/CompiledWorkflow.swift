import Foundation
import Synchronization

/// A JSON tree whose strings holding `{{ … }}` are parsed templates: parsed once, rendered for
/// every task start.
public struct CompiledJSON: Sendable, Equatable {
    indirect enum Node: Sendable, Equatable {
        case literal(JSONValue)
        case template(WorkflowTemplate)
        case array([Node])
        case object([String: Node])
    }

    let root: Node

    /// Parses every template in `value`; errors name the placeholder.
    public init(_ value: JSONValue) throws {
        root = try Self.compile(value)
    }

    private static func compile(_ value: JSONValue) throws -> Node {
        switch value {
        case .string(let s) where s.contains("{{"): return .template(try WorkflowTemplate(parsing: s))
        case .array(let a):
            let nodes = try a.map(compile)
            return nodes.allSatisfy { if case .literal = $0 { true } else { false } } ? .literal(value) : .array(nodes)
        case .object(let o):
            let nodes = try o.mapValues(compile)
            return nodes.values.allSatisfy { if case .literal = $0 { true } else { false } } ? .literal(value) : .object(nodes)
        default: return .literal(value)
        }
    }

    /// The paths its templates read, in key order.
    public var paths: [WorkflowPath] { Self.paths(root) }

    private static func paths(_ node: Node) -> [WorkflowPath] {
        switch node {
        case .literal: []
        case .template(let t): t.paths
        case .array(let a): a.flatMap(paths)
        case .object(let o): o.keys.sorted().flatMap { paths(o[$0]!) }
        }
    }

    /// Renders against `scope` (see ``WorkflowTemplate/render(in:)``).
    public func render(in scope: JSONValue) throws -> JSONValue { try Self.render(root, in: scope) }

    private static func render(_ node: Node, in scope: JSONValue) throws -> JSONValue {
        switch node {
        case .literal(let v): v
        case .template(let t): try t.render(in: scope)
        case .array(let a): .array(try a.map { try render($0, in: scope) })
        case .object(let o): .object(try o.mapValues { try render($0, in: scope) })
        }
    }
}

/// A definition with its templates and conditions parsed, as ``WorkflowDefinition/validate(place:)``
/// leaves it: the engine renders and evaluates these at every task start instead of parsing the
/// definition's text again.
public struct CompiledWorkflow: Sendable {
    /// One task's parsed expressions.
    public struct Task: Sendable {
        /// Its input.
        public var input: CompiledJSON
        /// Its `when` condition.
        public var when: WorkflowCondition?
        /// A map task's list source.
        public var map: WorkflowTemplate?
        /// Its compensation's input.
        public var compensate: CompiledJSON?
        /// The tasks its templates and condition read, and its upstream tasks: what a start reads.
        public var reads: Set<String>
    }

    /// By task name.
    public var tasks: [String: Task]
    /// The workflow's output.
    public var output: CompiledJSON?

    /// The compiled form of `definition`, compiled (and so validated) once per process for each
    /// name and version: an applied version's body never changes (apply refuses a different body
    /// under a stored version).
    public static func of(_ definition: WorkflowDefinition) throws -> CompiledWorkflow {
        let key = definition.name + "\u{0}" + definition.version
        if let hit = cache.withLock({ $0[key] }), hit.definition == definition { return hit.compiled }
        let compiled = try definition.validate()
        cache.withLock { entries in
            // Bounded: a process that sees many versions keeps the recent ones.
            if entries.count >= 512 { entries.removeAll(keepingCapacity: true) }
            entries[key] = (definition, compiled)
        }
        return compiled
    }

    private static let cache = Mutex<[String: (definition: WorkflowDefinition, compiled: CompiledWorkflow)]>([:])
}
