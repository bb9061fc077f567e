import Foundation
import Steward
import StewardQuality
import Yams

/// The YAML configuration of a monitor: sources and tasks (see docs/quality.md). Everything is
/// checked — unknown keys, measures, columns, windows, assessments, durations — before any data
/// is read.
public struct QualityConfigFile: Sendable {
    /// One declared source.
    public struct SourceEntry: Sendable {
        /// The name tasks use.
        public var name: String
        /// The file (resolved against the config's folder), or `-`.
        public var path: String
        /// CSV or JSON Lines.
        public var format: FileSource.Format
        /// Declared columns and the time column.
        public var schema: SourceSchema
        /// Whether rows are compact (`fields` / `values`).
        public var compact: Bool
        /// The CSV field separator.
        public var delimiter: UInt8 = UInt8(ascii: ",")
    }

    /// The sources, by name.
    public var sources: [SourceEntry]
    /// The tasks (without sinks: the caller chooses where records go).
    public var tasks: [QualityTaskConfiguration]
    /// The file it came from.
    public var file: String

    /// Reads and checks `path`; relative source paths are resolved against its folder.
    public static func load(path: String) throws -> QualityConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        return try parse(text, file: path, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Parses configuration text.
    public static func parse(_ text: String, file: String = "<config>", baseDirectory: String = ".") throws -> QualityConfigFile {
        let reader = YAMLReader(file: file)
        return try parse(node: try reader.compose(text), reader: reader, baseDirectory: baseDirectory)
    }

    /// Parses a configuration that is one node of a larger file (`steward serve`'s `monitors`).
    package static func parse(node root: Node, reader: YAMLReader, baseDirectory: String, what: String = "the configuration") throws
        -> QualityConfigFile
    {
        let file = reader.file
        let top = try reader.mapping(root, what, allowed: ["sources", "tasks"])
        guard let sourcesNode = top["sources"] else { throw reader.error(root, "missing 'sources'") }
        guard let tasksNode = top["tasks"] else { throw reader.error(root, "missing 'tasks'") }
        var sources: [SourceEntry] = []
        for (keyNode, value) in try reader.pairs(sourcesNode, "sources") {
            sources.append(try reader.source(name: try reader.string(keyNode, "source name"), value, base: baseDirectory))
        }
        var tasks: [QualityTaskConfiguration] = []
        for (i, node) in try reader.sequence(tasksNode, "tasks").enumerated() {
            let task = try reader.task(node, index: i, sources: sources)
            if tasks.contains(where: { $0.name == task.name }) { throw reader.error(node, "task '\(task.name)': duplicate name") }
            tasks.append(task)
        }
        if tasks.isEmpty { throw reader.error(tasksNode, "no tasks") }
        return QualityConfigFile(sources: sources, tasks: tasks, file: file)
    }

    /// A monitor with these tasks, reading `overrides[name]` instead of a source's path when given,
    /// writing through `sink(task)`.
    public func makeMonitor(
        overrides: [String: String] = [:], follow: Bool = false, sink: (String) throws -> (any QualitySink)?,
        rejectSink: (String) throws -> (any RejectedRowSink)? = { _ in nil }
    ) throws -> QualityMonitor {
        let monitor = QualityMonitor()
        for s in sources {
            monitor.addSource(
                try FileSource(
                    name: s.name, path: overrides[s.name] ?? s.path, format: s.format, schema: s.schema, follow: follow,
                    compact: s.compact, delimiter: s.delimiter))
        }
        for t in tasks {
            try monitor.addTask(t, sink: try sink(t.name), rejectSink: t.schemaPolicy == .divert ? try rejectSink(t.name) : nil)
        }
        try monitor.prepare()
        return monitor
    }
}

/// Walks the YAML tree, remembering where each value was.
extension YAMLReader {
    func value(_ node: Node) -> QualityValue {
        guard let scalar = node.scalar else { return .null }
        if node.null != nil { return .null }
        if scalar.style == .plain {
            if let i = node.int { return .int(Int64(i)) }
            if let d = node.float { return .double(d) }
            if let b = node.bool { return .bool(b) }
        }
        return .string(scalar.string)
    }

    // MARK: sources

    func source(name: String, _ node: Node, base: String) throws -> QualityConfigFile.SourceEntry {
        let m = try mapping(node, "source '\(name)'", allowed: ["path", "format", "time", "time_format", "columns", "compact", "delimiter"])
        guard let pathNode = m["path"] else { throw error(node, "source '\(name)': missing 'path'") }
        var path = try string(pathNode, "source '\(name)' path")
        if path != "-", !path.hasPrefix("/") { path = URL(fileURLWithPath: base).appendingPathComponent(path).path }
        var format = FileSource.Format.csv
        if let f = m["format"] {
            let text = try string(f, "source '\(name)' format")
            guard let parsed = FileSource.Format(rawValue: text) else {
                throw error(f, "source '\(name)' format: unknown format '\(text)' (csv or jsonl)")
            }
            format = parsed
        }
        guard let timeNode = m["time"] else { throw error(node, "source '\(name)': missing 'time' (the event-time column)") }
        let time = try string(timeNode, "source '\(name)' time")
        guard let columnsNode = m["columns"] else { throw error(node, "source '\(name)': missing 'columns'") }
        var columns: [SourceSchema.Column] = []
        for (k, v) in try pairs(columnsNode, "source '\(name)' columns") {
            columns.append(try column(try string(k, "column name"), v, source: name))
        }
        guard let timeColumn = columns.first(where: { $0.name == time }) else {
            throw error(timeNode, "source '\(name)' time: '\(time)' is not a declared column")
        }
        var timeFormat: SourceSchema.TimeFormat = [.int, .float].contains(timeColumn.type) ? .epochSeconds : .iso8601
        if let tf = m["time_format"] {
            let text = try string(tf, "source '\(name)' time_format")
            switch text {
            case "epoch": timeFormat = .epochSeconds
            case "iso8601": timeFormat = .iso8601
            default: timeFormat = .pattern(text)
            }
        }
        let schema = try SourceSchema(columns: columns, timeColumn: time, timeFormat: timeFormat)
        var entry = QualityConfigFile.SourceEntry(
            name: name, path: path, format: format, schema: schema, compact: try bool(m["compact"], "compact", default: false))
        if let d = m["delimiter"] {
            let text = try string(d, "source '\(name)' delimiter")
            let tab = text == "\\t" ? "\t" : text
            guard tab.utf8.count == 1, let byte = tab.utf8.first, byte < 128, byte != 34, byte != 10, byte != 13 else {
                throw error(d, "source '\(name)' delimiter: '\(text)' is not one ASCII character (e.g. ',', ';', '|', '\\t')")
            }
            entry.delimiter = byte
        }
        return entry
    }

    func column(_ name: String, _ node: Node, source: String) throws -> SourceSchema.Column {
        let what = "source '\(source)' column '\(name)'"
        func type(_ text: String, at node: Node) throws -> (SourceSchema.ColumnType, Bool) {
            let nullable = text.hasSuffix("?")
            let base = nullable ? String(text.dropLast()) : text
            guard let t = SourceSchema.ColumnType(rawValue: base) else {
                throw error(node, "\(what): unknown type '\(text)' (int, float, string, bool, time; add ? for nullable)")
            }
            return (t, nullable)
        }
        if node.scalar != nil {
            let (t, nullable) = try type(try string(node, what), at: node)
            return try SourceSchema.Column(name, t, nullable: nullable)
        }
        let m = try mapping(node, what, allowed: ["type", "nullable", "required", "min", "max", "allowed", "regex"])
        guard let typeNode = m["type"] else { throw error(node, "\(what): missing 'type'") }
        var (t, nullable) = try type(try string(typeNode, what), at: typeNode)
        if let n = m["nullable"] { nullable = try bool(n, "\(what) nullable", default: nullable) }
        if let r = m["required"] { nullable = !(try bool(r, "\(what) required", default: !nullable)) }
        let allowed = try m["allowed"].map { try sequence($0, "\(what) allowed").map(value) }
        do {
            return try SourceSchema.Column(
                name, t, nullable: nullable, min: try m["min"].map { try number($0, "\(what) min") },
                max: try m["max"].map { try number($0, "\(what) max") }, allowed: allowed,
                pattern: try m["regex"].map { try string($0, "\(what) regex") })
        } catch let e as QualityError {
            throw error(m["regex"] ?? node, "\(what): \(e)")
        }
    }

    // MARK: tasks

    func task(_ node: Node, index: Int, sources: [QualityConfigFile.SourceEntry]) throws -> QualityTaskConfiguration {
        let m = try mapping(
            node, "task \(index + 1)",
            allowed: [
                "name", "source", "critical", "window", "wait_for_late", "key", "time", "checks", "precision", "empty_windows",
                "emit", "late_column", "schema_policy", "schema_messages", "anomaly",
            ])
        let name = try m["name"].map { try string($0, "task name") } ?? "task_\(index + 1)"
        let what = "task '\(name)'"
        guard let sourceNode = m["source"] else { throw error(node, "\(what): missing 'source'") }
        let sourceName = try string(sourceNode, "\(what) source")
        guard let source = sources.first(where: { $0.name == sourceName }) else {
            throw error(sourceNode, "\(what) source: unknown source '\(sourceName)' (declared: \(sources.map(\.name).joined(separator: ", ")))")
        }
        func columnName(_ n: Node, _ field: String) throws -> String {
            let c = try string(n, "\(what) \(field)")
            guard source.schema.index(of: c) != nil else {
                throw error(n, "\(what) \(field): unknown column '\(c)' (source '\(sourceName)' has \(source.schema.columns.map(\.name).joined(separator: ", ")))")
            }
            return c
        }
        guard let windowNode = m["window"] else { throw error(node, "\(what): missing 'window'") }
        let window = try self.window(windowNode, what)
        var config = QualityTaskConfiguration(
            name: name, source: sourceName, window: window, key: try m["key"].map { try columnName($0, "key") },
            waitForLate: try m["wait_for_late"].map { try duration($0, "\(what) wait_for_late") } ?? 0, checks: [],
            critical: try bool(m["critical"], "\(what) critical", default: false))
        if let t = m["time"] { config.timeColumn = try columnName(t, "time") }
        if let p = m["precision"] {
            guard let v = p.int, v >= 0, v <= 12 else { throw error(p, "\(what) precision: expected 0-12") }
            config.precision = v
        }
        if let e = m["empty_windows"] {
            switch try string(e, "\(what) empty_windows") {
            case "emit": config.emitEmptyWindows = true
            case "skip": config.emitEmptyWindows = false
            case let other: throw error(e, "\(what) empty_windows: '\(other)' (emit or skip)")
            }
        }
        if let e = m["emit"] {
            let text = try string(e, "\(what) emit")
            guard let mode = QualityTaskConfiguration.SessionEmit(rawValue: text) else {
                throw error(e, "\(what) emit: '\(text)' (final or updates)")
            }
            config.sessionEmit = mode
        }
        config.lateColumn = try bool(m["late_column"], "\(what) late_column", default: false)
        config.schemaMessages = try bool(m["schema_messages"], "\(what) schema_messages", default: false)
        if let p = m["schema_policy"] {
            let text = try string(p, "\(what) schema_policy")
            guard let policy = QualityTaskConfiguration.SchemaPolicy(rawValue: text) else {
                throw error(p, "\(what) schema_policy: '\(text)' (keep, drop, raise or divert)")
            }
            config.schemaPolicy = policy
        }
        guard let checksNode = m["checks"] else { throw error(node, "\(what): missing 'checks'") }
        for (i, c) in try sequence(checksNode, "\(what) checks").enumerated() {
            let check = try self.check(c, index: i, task: what, column: columnName)
            if let n = check.name, config.checks.contains(where: { $0.name == n }) {
                throw error(c, "\(what) check '\(n)': duplicate name")
            }
            config.checks.append(check)
        }
        if config.checks.isEmpty { throw error(checksNode, "\(what): no checks") }
        if let a = m["anomaly"] {
            let am = try mapping(a, "\(what) anomaly", allowed: ["checks", "history", "warm_up", "thresholds"])
            guard let cn = am["checks"] else { throw error(a, "\(what) anomaly: missing 'checks'") }
            let names = try sequence(cn, "\(what) anomaly checks").map { try string($0, "check name") }
            let known = config.checks.enumerated().map { $0.element.name ?? "check_\($0.offset + 1)" }
            for (n, node) in zip(names, try sequence(cn, "checks")) where !known.contains(n) {
                throw error(node, "\(what) anomaly: unknown check '\(n)'")
            }
            var t = (2.0, 3.0, 4.0)
            if let tn = am["thresholds"] {
                let v = try sequence(tn, "thresholds").map { try number($0, "threshold") }
                guard v.count == 3, v[0] < v[1], v[1] < v[2] else {
                    throw error(tn, "\(what) anomaly thresholds: three increasing numbers (moderate, high, critical)")
                }
                t = (v[0], v[1], v[2])
            }
            config.anomaly = AnomalyConfiguration(
                checks: names, history: am["history"]?.int ?? 20, warmUp: am["warm_up"]?.int ?? 5, thresholds: t)
        }
        return config
    }

    func window(_ node: Node, _ what: String) throws -> WindowSpec {
        let m = try mapping(node, "\(what) window", allowed: ["tumbling", "sliding", "session"])
        guard m.count == 1, let (kind, v) = m.first else {
            throw error(node, "\(what) window: give exactly one of tumbling, sliding, session")
        }
        let spec: WindowSpec
        switch kind {
        case "tumbling":
            if v.mapping != nil {
                let w = try mapping(v, "\(what) tumbling", allowed: ["duration", "origin"])
                guard let d = w["duration"] else { throw error(v, "\(what) tumbling: missing 'duration'") }
                spec = .tumbling(try duration(d, "\(what) tumbling duration"), origin: try w["origin"].map { try number($0, "origin") } ?? 0)
            } else {
                spec = .tumbling(try duration(v, "\(what) tumbling"))
            }
        case "sliding":
            let w = try mapping(v, "\(what) sliding", allowed: ["duration", "hop", "origin"])
            guard let d = w["duration"], let h = w["hop"] else { throw error(v, "\(what) sliding: needs 'duration' and 'hop'") }
            spec = .sliding(
                duration: try duration(d, "\(what) sliding duration"), every: try duration(h, "\(what) sliding hop"),
                origin: try w["origin"].map { try number($0, "origin") } ?? 0)
        default:
            let w = try mapping(v, "\(what) session", allowed: ["max_gap"])
            guard let g = w["max_gap"] else { throw error(v, "\(what) session: missing 'max_gap'") }
            spec = .session(maxGap: try duration(g, "\(what) session max_gap"))
        }
        if let why = spec.validate() { throw error(v, "\(what) window: \(why)") }
        return spec
    }

    func check(_ node: Node, index: Int, task what: String, column columnName: (Node, String) throws -> String) throws -> QualityCheck {
        let m = try mapping(
            node, "\(what) check \(index + 1)",
            allowed: [
                "name", "measure", "column", "must_be", "disguised", "percentiles", "low", "high", "inclusive", "allowed",
                "pattern", "other", "method", "ordering",
            ])
        let name = try m["name"].map { try string($0, "check name") }
        let label = "\(what) check '\(name ?? "check_\(index + 1)")'"
        guard let measureNode = m["measure"] else { throw error(node, "\(label): missing 'measure'") }
        let measureName = try string(measureNode, "\(label) measure")
        func need(_ key: String) throws -> Node {
            guard let n = m[key] else { throw error(node, "\(label): measure '\(measureName)' needs '\(key)'") }
            return n
        }
        let disguised = try m["disguised"].map { try sequence($0, "disguised").map(value) } ?? []
        func bounds() throws -> (Double, Double, Bool) {
            let lo = try number(try need("low"), "\(label) low")
            let hi = try number(try need("high"), "\(label) high")
            guard lo <= hi else { throw error(m["low"]!, "\(label): low (\(lo)) is above high (\(hi))") }
            return (lo, hi, try bool(m["inclusive"], "\(label) inclusive", default: true))
        }
        let measure: Measure
        switch measureName {
        case "missing_count": measure = .missingCount(disguised: disguised)
        case "missing_fraction": measure = .missingFraction(disguised: disguised)
        case "percentiles":
            let ps = try sequence(try need("percentiles"), "\(label) percentiles").map { try number($0, "percentile") }
            guard !ps.isEmpty, ps.allSatisfy({ $0 >= 0 && $0 <= 100 }) else {
                throw error(m["percentiles"]!, "\(label) percentiles: numbers between 0 and 100")
            }
            measure = .percentiles(ps)
        case "correlation":
            let other = try columnName(try need("other"), "check other")
            let methodText = try m["method"].map { try string($0, "method") } ?? "pearson"
            guard let method = Measure.CorrelationMethod(rawValue: methodText) else {
                throw error(m["method"]!, "\(label) method: '\(methodText)' (pearson or spearman)")
            }
            measure = .correlation(other: other, method: method)
        case "range_conformance_count":
            let (lo, hi, inc) = try bounds()
            measure = .rangeConformanceCount(low: lo, high: hi, inclusive: inc)
        case "range_conformance_fraction":
            let (lo, hi, inc) = try bounds()
            measure = .rangeConformanceFraction(low: lo, high: hi, inclusive: inc)
        case "set_conformance_count", "set_conformance_fraction":
            let allowed = try sequence(try need("allowed"), "\(label) allowed").map(value)
            measure = measureName.hasSuffix("count") ? .setConformanceCount(allowed) : .setConformanceFraction(allowed)
        case "regex_conformance_count", "regex_conformance_fraction":
            let p = try string(try need("pattern"), "\(label) pattern")
            do { _ = try AnchoredRegex(p) } catch { throw self.error(m["pattern"]!, "\(label): \(error)") }
            measure = measureName.hasSuffix("count") ? .regexConformanceCount(p) : .regexConformanceFraction(p)
        case "satisfies_ordering":
            let text = try string(try need("ordering"), "\(label) ordering")
            guard let o = Measure.Ordering(rawValue: text) else {
                throw error(m["ordering"]!, "\(label) ordering: '\(text)' (asc, asc_eq, desc or desc_eq)")
            }
            measure = .satisfiesOrdering(o)
        default:
            guard let plain = Measure.parameterless[measureName] else {
                throw error(measureNode, "\(label): unknown measure '\(measureName)'\(Spelling.didYouMean(measureName, in: Measure.names)) (known: \(Measure.names.joined(separator: ", ")))")
            }
            measure = plain
        }
        var column: String? = nil
        if let c = m["column"] {
            column = try columnName(c, "check column")
        } else if measure.needsColumn {
            throw error(node, "\(label): measure '\(measureName)' needs a 'column'")
        }
        var check = try QualityCheck(name: name, measure, column: column)
        if let a = m["must_be"] {
            do {
                check.assessment = try Assessment(parsing: try string(a, "\(label) must_be"))
            } catch let e as AssessmentError {
                throw error(a, "\(label): \(e)")
            }
        }
        return check
    }
}
