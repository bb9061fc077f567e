import Foundation

/// A task's `when` condition:
///
/// ```
/// expr    := or
/// or      := and ("or" and)*
/// and     := not ("and" not)*
/// not     := "not" not | compare
/// compare := operand (("==" | "!=" | ">" | ">=" | "<" | "<=") operand)?
/// operand := "(" expr ")" | "exists(" path ")" | number | 'text' | "text" | true | false | null | path
/// ```
///
/// Paths are those of templates, written bare (`tasks.check.output.amount > 100`). `==` and `!=`
/// compare any values (numbers by value); the orderings compare two numbers or two strings. A
/// missing path is an error (the task fails naming it), except inside `exists(…)`. The whole
/// condition, and each side of `and` / `or` / `not`, must be a bool (null counts as false).
public struct WorkflowCondition: Sendable, Equatable {
    indirect enum Node: Sendable, Equatable {
        case literal(JSONValue)
        case path(WorkflowPath)
        case exists(WorkflowPath)
        case not(Node)
        case and(Node, Node)
        case or(Node, Node)
        case compare(Node, String, Node)
    }

    let root: Node
    /// The condition as written.
    public let text: String

    /// Parses `text`; the error names the column.
    public init(parsing text: String) throws {
        self.text = text
        var parser = Parser(tokens: try Self.tokenize(text), text: text)
        root = try parser.expression()
        if let extra = parser.peek {
            throw WorkflowExpressionError("condition '\(text)': unexpected '\(extra.text)' at column \(extra.column)")
        }
    }

    /// The paths it reads (also inside `exists`).
    public var paths: [WorkflowPath] {
        func walk(_ n: Node) -> [WorkflowPath] {
            switch n {
            case .literal: []
            case .path(let p), .exists(let p): [p]
            case .not(let a): walk(a)
            case .and(let a, let b), .or(let a, let b), .compare(let a, _, let b): walk(a) + walk(b)
            }
        }
        return walk(root)
    }

    /// Evaluates against `scope`.
    public func evaluate(in scope: JSONValue) throws -> Bool {
        try truth(try value(root, scope), what: "the condition")
    }

    private func truth(_ v: JSONValue, what: String) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .null: return false
        default: throw WorkflowExpressionError("condition '\(text)': \(what) is \(v.kindName) (\(v.jsonText)), not true or false")
        }
    }

    private func value(_ n: Node, _ scope: JSONValue) throws -> JSONValue {
        switch n {
        case .literal(let v): return v
        case .path(let p): return try p.resolve(in: scope)
        case .exists(let p): return .bool((try? p.resolve(in: scope)) != nil)
        case .not(let a): return .bool(!(try truth(try value(a, scope), what: "the operand of 'not'")))
        case .and(let a, let b):
            guard try truth(try value(a, scope), what: "the left side of 'and'") else { return .bool(false) }
            return .bool(try truth(try value(b, scope), what: "the right side of 'and'"))
        case .or(let a, let b):
            if try truth(try value(a, scope), what: "the left side of 'or'") { return .bool(true) }
            return .bool(try truth(try value(b, scope), what: "the right side of 'or'"))
        case .compare(let a, let op, let b):
            let (l, r) = (try value(a, scope), try value(b, scope))
            switch op {
            case "==": return .bool(Self.equal(l, r))
            case "!=": return .bool(!Self.equal(l, r))
            default:
                let order: ComparisonResult
                if let x = l.numeric, let y = r.numeric {
                    order = x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
                } else if case .string(let x) = l, case .string(let y) = r {
                    order = x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
                } else {
                    throw WorkflowExpressionError(
                        "condition '\(text)': cannot order \(l.kindName) (\(l.jsonText)) and \(r.kindName) (\(r.jsonText)) with \(op)")
                }
                switch op {
                case ">": return .bool(order == .orderedDescending)
                case ">=": return .bool(order != .orderedAscending)
                case "<": return .bool(order == .orderedAscending)
                default: return .bool(order != .orderedDescending)
                }
            }
        }
    }

    static func equal(_ l: JSONValue, _ r: JSONValue) -> Bool {
        if let x = l.numeric, let y = r.numeric { return x == y }
        return l == r
    }

    // MARK: tokens

    struct Token: Equatable {
        enum Kind: Equatable { case op, word, number, string, open, close }
        var kind: Kind
        var text: String
        var column: Int
    }

    static func tokenize(_ text: String) throws -> [Token] {
        let chars = Array(text)
        var out: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c.isWhitespace {
                i += 1
            } else if c == "(" || c == ")" {
                out.append(Token(kind: c == "(" ? .open : .close, text: String(c), column: column))
                i += 1
            } else if "=!<>".contains(c) {
                var op = String(c)
                if i + 1 < chars.count, chars[i + 1] == "=" { op.append("="); i += 1 }
                guard ["==", "!=", "<", "<=", ">", ">="].contains(op) else {
                    throw WorkflowExpressionError("condition '\(text)': '\(op)' at column \(column) is not an operator (use == != > >= < <=)")
                }
                out.append(Token(kind: .op, text: op, column: column))
                i += 1
            } else if c == "'" || c == "\"" {
                var j = i + 1
                var s = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count { j += 1 }
                    s.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw WorkflowExpressionError("condition '\(text)': unclosed string at column \(column)") }
                out.append(Token(kind: .string, text: s, column: column))
                i = j + 1
            } else if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "." || chars[j] == "e" || chars[j] == "E" { j += 1 }
                out.append(Token(kind: .number, text: String(chars[i..<j]), column: column))
                i = j
            } else if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || "_-.[]".contains(chars[j]) { j += 1 }
                out.append(Token(kind: .word, text: String(chars[i..<j]), column: column))
                i = j
            } else {
                throw WorkflowExpressionError("condition '\(text)': unexpected '\(c)' at column \(column)")
            }
        }
        return out
    }

    struct Parser {
        var tokens: [Token]
        var text: String
        var position = 0

        var peek: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func take() -> Token? {
            defer { position += 1 }
            return peek
        }

        func fail(_ message: String) -> WorkflowExpressionError {
            let at = peek.map { "at column \($0.column)" } ?? "at the end"
            return WorkflowExpressionError("condition '\(text)': \(message) \(at)")
        }

        mutating func expression() throws -> Node {
            var left = try conjunction()
            while peek?.kind == .word, peek?.text == "or" {
                position += 1
                left = .or(left, try conjunction())
            }
            return left
        }

        mutating func conjunction() throws -> Node {
            var left = try negation()
            while peek?.kind == .word, peek?.text == "and" {
                position += 1
                left = .and(left, try negation())
            }
            return left
        }

        mutating func negation() throws -> Node {
            if peek?.kind == .word, peek?.text == "not" {
                position += 1
                return .not(try negation())
            }
            return try comparison()
        }

        mutating func comparison() throws -> Node {
            let left = try operand()
            if let op = peek, op.kind == .op {
                position += 1
                return .compare(left, op.text, try operand())
            }
            return left
        }

        mutating func operand() throws -> Node {
            guard let token = peek else { throw fail("expected a value") }
            switch token.kind {
            case .open:
                position += 1
                let inner = try expression()
                guard peek?.kind == .close else { throw fail("expected ')'") }
                position += 1
                return inner
            case .string:
                position += 1
                return .literal(.string(token.text))
            case .number:
                position += 1
                if let i = Int64(token.text) { return .literal(.integer(i)) }
                guard let d = Double(token.text), d.isFinite else { throw fail("'\(token.text)' is not a number") }
                return .literal(.number(d))
            case .word:
                position += 1
                switch token.text {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                case "and", "or", "not": throw WorkflowExpressionError("condition '\(text)': expected a value before '\(token.text)' at column \(token.column)")
                case "exists":
                    guard peek?.kind == .open else { throw fail("expected '(' after exists") }
                    position += 1
                    guard let p = peek, p.kind == .word else { throw fail("expected a path in exists(…)") }
                    position += 1
                    guard peek?.kind == .close else { throw fail("expected ')'") }
                    position += 1
                    return .exists(try path(p))
                default:
                    return .path(try path(token))
                }
            case .op, .close:
                throw fail("expected a value, got '\(token.text)'")
            }
        }

        func path(_ token: Token) throws -> WorkflowPath {
            do { return try WorkflowPath(parsing: token.text) } catch let e as WorkflowExpressionError {
                throw WorkflowExpressionError("condition '\(text)': \(e.description) (column \(token.column))")
            }
        }
    }
}

