import Foundation
import Steward
import StewardQuality
import Yams

extension BatchCheck {
    /// The checks of a configuration file (`checks: NAME: {…}`); paths are relative to the file.
    public static func load(path: String) throws -> [BatchCheck] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        return try parse(text, file: path, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Parses configuration text.
    public static func parse(_ text: String, file: String = "<checks>", baseDirectory: String = ".") throws -> [BatchCheck] {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        let top = try reader.mapping(root, "the file", allowed: ["checks", "sources"])
        var sourcePaths: [String: String] = [:]
        if let s = top["sources"] {
            for (k, v) in try reader.pairs(s, "sources") {
                guard let p = reader.values(of: v)["path"] else { throw reader.error(v, "source: missing 'path'") }
                sourcePaths[try reader.string(k, "source name")] = try reader.string(p, "source path")
            }
        }
        guard let checksNode = top["checks"] else { throw reader.error(root, "missing 'checks'") }
        var out: [BatchCheck] = []
        for (k, v) in try reader.pairs(checksNode, "checks") {
            let name = try reader.string(k, "check name")
            let what = "check '\(name)'"
            let m = try reader.mapping(
                v, what, allowed: ["source", "required_fields", "accuracy", "consistency", "thresholds", "weights", "max_examples"])
            guard let sourceNode = m["source"] else { throw reader.error(v, "\(what): missing 'source' (a file, or a source's name)") }
            let source = try reader.string(sourceNode, "\(what) source")
            var path = sourcePaths[source] ?? source
            if !path.hasPrefix("/") { path = URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path }
            var check = BatchCheck(
                name: name, path: path, requiredFields: [], accuracy: [], unique: [], rules: [],
                thresholds: (0.95, 0.98, 0.99), weights: (0.4, 0.3, 0.3))
            check.requiredFields = try m["required_fields"].map { try reader.sequence($0, "\(what) required_fields").map { try reader.string($0, "\(what) field") } } ?? []
            for r in try m["accuracy"].map({ try reader.sequence($0, "\(what) accuracy") }) ?? [] {
                check.accuracy.append(try rule(r, what: "\(what) accuracy", reader))
            }
            if let c = m["consistency"] {
                let cm = try reader.mapping(c, "\(what) consistency", allowed: ["unique", "rules"])
                check.unique = try cm["unique"].map { try reader.sequence($0, "\(what) unique").map { try reader.string($0, "\(what) unique") } } ?? []
                for r in try cm["rules"].map({ try reader.sequence($0, "\(what) rules") }) ?? [] {
                    let text = try reader.string(r, "\(what) rule")
                    do { check.rules.append(try comparison(text)) } catch { throw reader.error(r, "\(what) rule: \(error)") }
                }
            }
            func triple(_ key: String, _ d: (Double, Double, Double)) throws -> (Double, Double, Double) {
                guard let n = m[key] else { return d }
                let tm = try reader.mapping(n, "\(what) \(key)", allowed: ["completeness", "accuracy", "consistency"])
                func one(_ k: String, _ fallback: Double) throws -> Double {
                    guard let v = tm[k] else { return fallback }
                    let x = try reader.number(v, "\(what) \(key) \(k)")
                    guard x >= 0, x <= 1 else { throw reader.error(v, "\(what) \(key) \(k): \(x) is not within 0...1") }
                    return x
                }
                return (try one("completeness", d.0), try one("accuracy", d.1), try one("consistency", d.2))
            }
            check.thresholds = try triple("thresholds", check.thresholds)
            check.weights = try triple("weights", check.weights)
            if let w = m["weights"], abs(check.weights.0 + check.weights.1 + check.weights.2 - 1) > 1e-9 {
                throw reader.error(w, "\(what) weights: must add up to 1")
            }
            if let e = m["max_examples"] { check.maxExamples = try reader.integer(e, "\(what) max_examples", in: 0...1_000) }
            if check.requiredFields.isEmpty, check.accuracy.isEmpty, check.unique.isEmpty, check.rules.isEmpty {
                throw reader.error(v, "\(what): nothing to check (give required_fields, accuracy or consistency)")
            }
            out.append(check)
        }
        if out.isEmpty { throw reader.error(checksNode, "no checks") }
        return out
    }

    static func rule(_ node: Node, what: String, _ reader: YAMLReader) throws -> Rule {
        let m = try reader.mapping(node, "\(what) rule", allowed: ["field", "allowed", "min", "max", "pattern", "type"])
        guard let f = m["field"] else { throw reader.error(node, "\(what): a rule without 'field'") }
        let field = try reader.string(f, "\(what) field")
        if let a = m["allowed"] { return .allowed(field: field, values: try reader.sequence(a, "\(what) allowed").map { try reader.string($0, "\(what) allowed") }) }
        if m["min"] != nil || m["max"] != nil {
            let lo = try m["min"].map { try reader.number($0, "\(what) min") }
            let hi = try m["max"].map { try reader.number($0, "\(what) max") }
            for (v, n) in [(lo, m["min"]), (hi, m["max"])] where v.map({ !$0.isFinite }) ?? false {
                throw reader.error(n!, "\(what) \(field): bounds must be finite numbers")
            }
            return .range(field: field, min: lo, max: hi)
        }
        if let p = m["pattern"] {
            let text = try reader.string(p, "\(what) pattern")
            guard (try? NSRegularExpression(pattern: text)) != nil else { throw reader.error(p, "\(what) pattern: '\(text)' is not a regular expression") }
            return .pattern(field: field, regex: text)
        }
        if let t = m["type"] {
            let type = try reader.string(t, "\(what) type")
            guard ["int", "float", "bool", "string", "date"].contains(type) else {
                throw reader.error(t, "\(what) type: '\(type)' is not int, float, bool, string or date")
            }
            return .type(field: field, type: type)
        }
        throw reader.error(node, "\(what) \(field): give allowed, min/max, pattern or type")
    }
}
