import Foundation

/// A path into a task's scope: `input.order_id`, `tasks.validate.output.rows[0].id`, `item`,
/// `index`. Segments are names (letters, digits, `_`, `-`) joined by `.`, each followed by any
/// number of `[n]` list indexes.
public struct WorkflowPath: Sendable, Equatable, CustomStringConvertible {
    /// One step: a key of an object or an index into a list.
    public enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    /// The steps, first the root (`input`, `tasks`, `item` or `index`).
    public var steps: [Step]
    /// The path as written.
    public var description: String

    /// The roots a path may start with.
    public static let roots: Set<String> = ["input", "tasks", "item", "index"]

    /// Parses `text`; the error names the path and what is wrong.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        description = trimmed
        steps = []
        let chars = Array(trimmed)
        var i = 0
        func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        guard !chars.isEmpty else { throw WorkflowExpressionError("empty path") }
        while i < chars.count {
            let start = i
            while i < chars.count, isNameChar(chars[i]) { i += 1 }
            guard i > start else { throw WorkflowExpressionError("path '\(trimmed)': expected a name at column \(i + 1)") }
            steps.append(.key(String(chars[start..<i])))
            while i < chars.count, chars[i] == "[" {
                let open = i
                i += 1
                let digits = i
                while i < chars.count, chars[i].isNumber { i += 1 }
                guard i > digits, i < chars.count, chars[i] == "]", let n = Int(String(chars[digits..<i])) else {
                    throw WorkflowExpressionError("path '\(trimmed)': expected [number] at column \(open + 1)")
                }
                steps.append(.index(n))
                i += 1
            }
            if i < chars.count {
                guard chars[i] == ".", i + 1 < chars.count else {
                    throw WorkflowExpressionError("path '\(trimmed)': unexpected '\(chars[i])' at column \(i + 1)")
                }
                i += 1
            }
        }
        guard case .key(let root) = steps[0], Self.roots.contains(root) else {
            throw WorkflowExpressionError(
                "path '\(trimmed)': must start with \(Self.roots.sorted().joined(separator: ", "))")
        }
    }

    /// The root name.
    public var root: String {
        if case .key(let k) = steps[0] { return k }
        return ""
    }

    /// The task a `tasks.NAME…` path reads, if it is one.
    public var taskName: String? {
        guard root == "tasks", steps.count >= 2, case .key(let name) = steps[1] else { return nil }
        return name
    }

    /// The value at this path in `scope`; the error names the path and the step that is missing.
    public func resolve(in scope: JSONValue) throws -> JSONValue {
        var value = scope
        var walked = ""
        for step in steps {
            switch (step, value) {
            case (.key(let k), .object(let o)):
                guard let next = o[k] else { throw WorkflowExpressionError("missing path '\(description)': no '\(k)'\(walked.isEmpty ? "" : " in \(walked)")") }
                value = next
                walked += walked.isEmpty ? k : ".\(k)"
            case (.index(let n), .array(let a)):
                guard n < a.count else {
                    throw WorkflowExpressionError("missing path '\(description)': \(walked) has \(a.count) items, no [\(n)]")
                }
                value = a[n]
                walked += "[\(n)]"
            case (.key(let k), _):
                throw WorkflowExpressionError("missing path '\(description)': \(walked) is \(value.kindName), not an object with '\(k)'")
            case (.index(let n), _):
                throw WorkflowExpressionError("missing path '\(description)': \(walked) is \(value.kindName), not a list to index [\(n)]")
            }
        }
        return value
    }
}

/// A template or condition that cannot be parsed or evaluated; the text says what and where.
public struct WorkflowExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Text with `{{ path }}` placeholders. A value that is exactly one placeholder keeps the JSON
/// type of what it names (object, list, number); placeholders inside other text are rendered as
/// text (strings as they are, anything else as JSON).
public struct WorkflowTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case path(WorkflowPath)
    }

    let parts: [Part]

    /// Parses `text`; errors name the placeholder.
    public init(parsing text: String) throws {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[rest.startIndex..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw WorkflowExpressionError("template '\(text)': '{{' without a closing '}}'")
            }
            parts.append(.path(try WorkflowPath(parsing: String(rest[open.upperBound..<close.lowerBound]))))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The paths it reads.
    public var paths: [WorkflowPath] {
        parts.compactMap { if case .path(let p) = $0 { return p } else { return nil } }
    }

    /// Renders against `scope`.
    public func render(in scope: JSONValue) throws -> JSONValue {
        if parts.count == 1, case .path(let p) = parts[0] { return try p.resolve(in: scope) }
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .path(let p):
                let value = try p.resolve(in: scope)
                if case .string(let s) = value { out += s } else { out += value.jsonText }
            }
        }
        return .string(out)
    }

    /// Every template in a JSON tree (its strings), for validation.
    static func templates(in value: JSONValue) throws -> [WorkflowTemplate] {
        switch value {
        case .string(let s): return s.contains("{{") ? [try WorkflowTemplate(parsing: s)] : []
        case .array(let a): return try a.flatMap { try templates(in: $0) }
        case .object(let o): return try o.keys.sorted().flatMap { try templates(in: o[$0]!) }
        default: return []
        }
    }

    /// Renders every string of a JSON tree that holds a template.
    public static func render(_ value: JSONValue, in scope: JSONValue) throws -> JSONValue {
        switch value {
        case .string(let s) where s.contains("{{"): return try WorkflowTemplate(parsing: s).render(in: scope)
        case .array(let a): return .array(try a.map { try render($0, in: scope) })
        case .object(let o): return .object(try o.mapValues { try render($0, in: scope) })
        default: return value
        }
    }
}
