import Foundation
import Steward
import Yams

/// A configuration mistake with its place in the file.
public struct ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// 1-based line (0 when unknown).
    public var line: Int
    /// 1-based column (0 when unknown).
    public var column: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Reads YAML configuration (quality monitors, workflows) into typed values; every error names
/// `file:line:column` and what was expected there.
package struct YAMLReader: Sendable {
    /// The file the nodes come from.
    package let file: String

    package init(file: String) { self.file = file }

    /// Parses `text` into its root node; an empty file or malformed YAML is an error with its place.
    package func compose(_ text: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigFileError(file: file, line: 1, column: 1, message: "the file is empty")
            }
            return node
        } catch let e as YamlError {
            var line = 0
            var column = 0
            switch e {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
                (line, column) = (mark.line, mark.column)
            default: break
            }
            throw ConfigFileError(file: file, line: line, column: column, message: "not valid YAML: \(e)")
        }
    }

    package func error(_ node: Node, _ message: String) -> ConfigFileError {
        ConfigFileError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, message: message)
    }

    package func pairs(_ node: Node, _ what: String) throws -> [(Node, Node)] {
        guard let m = node.mapping else { throw error(node, "\(what): expected a mapping") }
        return m.map { ($0.key, $0.value) }
    }

    /// A mapping with only `allowed` keys (a typo is reported where it is).
    package func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws -> [String: Node] {
        var out: [String: Node] = [:]
        for (k, v) in try pairs(node, what) {
            let key = try string(k, "\(what) key")
            guard allowed.contains(key) else {
                throw error(k, "\(what): unknown key '\(key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            out[key] = v
        }
        return out
    }

    /// A mapping's values by key, without checking keys (for pointing errors at a field).
    package func values(of node: Node) -> [String: Node] {
        var out: [String: Node] = [:]
        for (k, v) in node.mapping ?? [:] { if let s = k.scalar?.string { out[s] = v } }
        return out
    }

    package func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard let s = node.sequence else { throw error(node, "\(what): expected a list") }
        return Array(s)
    }

    package func string(_ node: Node, _ what: String) throws -> String {
        guard let s = node.scalar?.string else { throw error(node, "\(what): expected a text value") }
        return s
    }

    package func bool(_ node: Node?, _ what: String, default d: Bool) throws -> Bool {
        guard let node else { return d }
        guard let b = node.bool else { throw error(node, "\(what): expected true or false, got '\(node.scalar?.string ?? "")'") }
        return b
    }

    package func number(_ node: Node, _ what: String) throws -> Double {
        guard let s = node.scalar?.string, let v = Double(s) else {
            throw error(node, "\(what): expected a number, got '\(node.scalar?.string ?? "a structure")'")
        }
        return v
    }

    /// A whole number within `range`.
    package func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) throws -> Int {
        guard let s = node.scalar?.string, let v = Int(s) else {
            throw error(node, "\(what): expected a whole number, got '\(node.scalar?.string ?? "a structure")'")
        }
        guard range.contains(v) else { throw error(node, "\(what): \(v) is outside \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// `60`, `"90s"`, `"5m"`, `"1h"`: seconds.
    package func duration(_ node: Node, _ what: String) throws -> Double {
        guard let s = node.scalar?.string else { throw error(node, "\(what): expected a duration such as 60 or \"5m\"") }
        if let v = Double(s) {
            do { return try DurationParser.checked(v, text: s, field: what) } catch { throw self.error(node, "\(error)") }
        }
        do {
            return try DurationParser.parse(s, field: what).seconds
        } catch {
            throw self.error(node, "\(error)")
        }
    }

    /// A YAML value as JSON: plain scalars become numbers, bools or null; quoted ones stay text.
    package func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if node.null != nil { return .null }
                if let i = Int64(scalar.string) { return .integer(i) }
                if let d = node.float, d.isFinite { return .number(d) }
                if let b = node.bool { return .bool(b) }
            }
            return .string(scalar.string)
        case .sequence(let s): return .array(s.map(json))
        case .mapping(let m):
            var out: [String: JSONValue] = [:]
            for (k, v) in m { out[k.scalar?.string ?? ""] = json(v) }
            return .object(out)
        case .alias: return .null
        }
    }
}
