import Foundation
import Steward
import Yams

/// The `pipelines:` and `datasets:` sections of a configuration file (docs/pipelines.md). Other
/// sections belong to `steward serve` and are left to it.
public enum PipelineFile {
    /// Reads `path`'s pipelines and datasets; every mistake (and a lineage cycle) is a
    /// ``ConfigFileError`` with `file:line:column`.
    public static func load(path: String) throws -> PipelineCatalog {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        return try parse(text, file: path)
    }

    /// Reads the pipelines and datasets of configuration text (YAML, or JSON of the same shape).
    public static func parse(_ text: String, file: String) throws -> PipelineCatalog {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        guard root.mapping != nil else { throw reader.error(root, "the configuration: expected a mapping") }
        let top = reader.values(of: root)
        if top["pipelines"] == nil, top["datasets"] == nil {
            throw reader.error(root, "the file has no 'pipelines' or 'datasets' section")
        }
        return try catalog(pipelines: top["pipelines"], datasets: top["datasets"], reader)
    }

    /// The catalog of the two sections (either may be absent).
    package static func catalog(pipelines: Node?, datasets: Node?, _ reader: YAMLReader) throws -> PipelineCatalog {
        var defs: [PipelineDefinition] = []
        var firstNode: [String: Node] = [:]
        for (k, v) in try pipelines.map({ try reader.pairs($0, "pipelines") }) ?? [] {
            let name = try reader.string(k, "pipeline name")
            try checkName(name, k, "pipeline", reader)
            firstNode[name] = k
            defs.append(try pipeline(name, v, reader))
        }
        var sets: [DatasetDefinition] = []
        for (k, v) in try datasets.map({ try reader.pairs($0, "datasets") }) ?? [] {
            let name = try reader.string(k, "dataset name")
            try checkName(name, k, "dataset", reader)
            let what = "dataset '\(name)'"
            let m = try reader.mapping(v, what, allowed: ["max_age"])
            let maxAge = try m["max_age"].map { try reader.duration($0, "\(what) max_age") }
            if let maxAge, maxAge <= 0 { throw reader.error(m["max_age"]!, "\(what) max_age: must be more than 0") }
            sets.append(DatasetDefinition(name: name, maxAge: maxAge))
        }
        let catalog = PipelineCatalog(pipelines: defs, datasets: sets)
        if let cycle = PipelineRules.cycle(catalog.pipelines) {
            let first = cycle.split(separator: "(").last.map { String($0.prefix { $0 != ")" }) }
            throw reader.error(first.flatMap { firstNode[$0] } ?? pipelines!, "\(PipelineError.lineageCycle(cycle))")
        }
        return catalog
    }

    static func checkName(_ name: String, _ node: Node, _ what: String, _ reader: YAMLReader) throws {
        guard !name.isEmpty, name.count <= 200, !name.contains(where: { $0.isNewline }) else {
            throw reader.error(node, "\(what) name: '\(name)' must be 1 to 200 characters on one line")
        }
    }

    static func pipeline(_ name: String, _ node: Node, _ reader: YAMLReader) throws -> PipelineDefinition {
        let what = "pipeline '\(name)'"
        let m = try reader.mapping(node, what, allowed: ["max_duration", "reads", "writes", "anomaly"])
        func datasets(_ key: String) throws -> [String] {
            guard let n = m[key] else { return [] }
            var out: [String] = []
            for item in try reader.sequence(n, "\(what) \(key)") {
                let d = try reader.string(item, "\(what) \(key)")
                try checkName(d, item, "\(what) \(key): dataset", reader)
                if !out.contains(d) { out.append(d) }
            }
            return out
        }
        var def = PipelineDefinition(name: name, reads: try datasets("reads"), writes: try datasets("writes"))
        if let v = m["max_duration"] {
            let seconds = try reader.duration(v, "\(what) max_duration")
            guard seconds > 0 else { throw reader.error(v, "\(what) max_duration: must be more than 0") }
            def.maxDuration = seconds
        }
        if let a = m["anomaly"] {
            let am = try reader.mapping(a, "\(what) anomaly", allowed: ["metrics", "lookback", "min_history", "threshold"])
            guard let metricsNode = am["metrics"] else { throw reader.error(a, "\(what) anomaly: missing 'metrics'") }
            let metrics = try reader.sequence(metricsNode, "\(what) anomaly metrics").map { try reader.string($0, "\(what) anomaly metric") }
            guard !metrics.isEmpty else { throw reader.error(metricsNode, "\(what) anomaly metrics: name at least one metric") }
            var settings = AnomalySettings(metrics: metrics)
            if let v = am["lookback"] { settings.lookback = try reader.integer(v, "\(what) anomaly lookback", in: 2...10_000) }
            if let v = am["min_history"] { settings.minHistory = try reader.integer(v, "\(what) anomaly min_history", in: 2...10_000) }
            if let v = am["threshold"] {
                settings.threshold = try reader.number(v, "\(what) anomaly threshold")
                guard settings.threshold > 0, settings.threshold.isFinite else {
                    throw reader.error(v, "\(what) anomaly threshold: \(settings.threshold) must be a number above 0")
                }
            }
            if settings.minHistory > settings.lookback {
                throw reader.error(a, "\(what) anomaly: min_history \(settings.minHistory) is more than lookback \(settings.lookback); no execution could be checked")
            }
            def.anomaly = settings
        }
        return def
    }
}
