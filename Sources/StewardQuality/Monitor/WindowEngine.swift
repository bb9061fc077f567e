import Foundation
import HeapModule

/// One task's windows at run time. Owned by one child task; not shared.
final class WindowEngine {
    let config: QualityTaskConfiguration
    let checkNames: [String]
    private let factories: [() throws -> any MeasureAccumulator]
    private let keyIndex: Int?
    private let keyColumn: String?
    let isoTime: Bool
    private let tracksSchema: Bool

    // Status.
    private(set) var recordsRead = 0
    private(set) var windowsEmitted = 0
    /// Events that landed in no window at all because they were late.
    private(set) var lateDropped = 0
    /// Window memberships missed by late events (an event may miss old sliding windows and
    /// still count in newer ones).
    private(set) var lateWindowMisses = 0
    private(set) var schemaErrors = 0
    private(set) var failedAssessments = 0

    /// The six status counters, as totals or as increments.
    struct Counters: Equatable {
        var recordsRead = 0, windowsEmitted = 0, lateDropped = 0, lateWindowMisses = 0, schemaErrors = 0, failedAssessments = 0

        static func - (a: Counters, b: Counters) -> Counters {
            Counters(
                recordsRead: a.recordsRead - b.recordsRead, windowsEmitted: a.windowsEmitted - b.windowsEmitted,
                lateDropped: a.lateDropped - b.lateDropped, lateWindowMisses: a.lateWindowMisses - b.lateWindowMisses,
                schemaErrors: a.schemaErrors - b.schemaErrors, failedAssessments: a.failedAssessments - b.failedAssessments)
        }
    }
    /// The totals last handed out by ``takeCounterDeltas()``.
    private var reported = Counters()

    /// What the counters grew by since the last call: the monitor adds it to the task's status
    /// and to its metrics, with no copy of the totals to diff against.
    func takeCounterDeltas() -> Counters {
        let now = Counters(
            recordsRead: recordsRead, windowsEmitted: windowsEmitted, lateDropped: lateDropped,
            lateWindowMisses: lateWindowMisses, schemaErrors: schemaErrors, failedAssessments: failedAssessments)
        defer { reported = now }
        return now - reported
    }

    private var watermark = -Double.infinity
    private var lateSinceRecord: [QualityValue: Int] = [:]
    /// Keys interned to dense ids, so window cells are found by array index, not by hashing.
    private var keyIDs: [QualityValue: Int] = [:]
    private var keyValues: [QualityValue] = []
    private var keyFirstSeen: [Double] = []
    private var anomalyHistory: [QualityValue: [[Double]]] = [:]

    struct Cell {
        var accs: [any MeasureAccumulator]
        var rows = 0
        var schemaErrors = 0
        var schemaMessages: [String] = []
    }

    // Sliding and tumbling windows.
    private var open: [Int64: [Cell?]] = [:]
    private var openOrder: [Int64] = []
    private var nextEmpty: Int64? = nil

    // Sessions.
    struct Session {
        var id: Int
        var start: Double
        var end: Double
        var cell: Cell
        var lastEmitted: QualityRecord?
    }
    private var sessions: [QualityValue: [Session]] = [:]
    private var emittedSessions: [QualityValue: [(start: Double, end: Double)]] = [:]
    private var deadlines = Heap<Deadline>()
    private var nextSessionID = 0
    struct Deadline: Comparable {
        var at: Double
        var key: QualityValue
        var id: Int
        static func < (a: Deadline, b: Deadline) -> Bool { a.at < b.at }
        static func == (a: Deadline, b: Deadline) -> Bool { a.at == b.at && a.id == b.id }
    }

    init(config: QualityTaskConfiguration, schema: SourceSchema) throws {
        self.config = config
        func column(_ name: String, _ what: String) throws -> Int {
            guard let i = schema.index(of: name) else {
                throw QualityError.config(
                    "task '\(config.name)' \(what): unknown column '\(name)' (source '\(config.source)' has \(schema.columns.map(\.name).joined(separator: ", ")))")
            }
            return i
        }
        keyColumn = config.key
        columnNames = schema.columns.map(\.name)
        keyIndex = try config.key.map { try column($0, "key") }
        if let t = config.timeColumn, t != schema.timeColumn {
            throw QualityError.config("task '\(config.name)' time: '\(t)' differs from source '\(config.source)' time column '\(schema.timeColumn)'")
        }
        isoTime = schema.isoTime
        tracksSchema = schema.validates
        if let why = config.window.validate() { throw QualityError.config("task '\(config.name)' window: \(why)") }
        if config.waitForLate < 0 { throw QualityError.config("task '\(config.name)' wait_for_late: must not be negative") }
        var names: [String] = []
        var factories: [() throws -> any MeasureAccumulator] = []
        for (i, check) in config.checks.enumerated() {
            let name = check.name ?? "check_\(i + 1)"
            if names.contains(name) { throw QualityError.config("task '\(config.name)' check '\(name)': duplicate name") }
            names.append(name)
            if let custom = check.custom {
                let c = try column(check.column ?? "", "check '\(name)' column")
                factories.append { custom(c) }
                continue
            }
            guard let measure = check.measure else {
                throw QualityError.config("task '\(config.name)' check '\(name)': no measure")
            }
            var c = 0
            if measure.needsColumn {
                guard let col = check.column else {
                    throw QualityError.config("task '\(config.name)' check '\(name)': measure needs a column")
                }
                c = try column(col, "check '\(name)' column")
            } else if let col = check.column {
                c = try column(col, "check '\(name)' column")
            }
            var other = 0
            if case .correlation(let o, _) = measure { other = try column(o, "check '\(name)' correlation column") }
            _ = try measure.makeAccumulator(column: c, other: other)  // regexes compile now, not mid-stream
            factories.append { try measure.makeAccumulator(column: c, other: other) }
        }
        checkNames = names
        self.factories = factories
        if let a = config.anomaly {
            for name in a.checks where !names.contains(name) {
                throw QualityError.config("task '\(config.name)' anomaly: unknown check '\(name)'")
            }
        }
    }

    private func newCell() -> Cell { Cell(accs: factories.map { try! $0() }) }

    /// Rows diverted since the last call, for the reject sink.
    private(set) var rejected: [RejectedRow] = []
    private let columnNames: [String]

    func takeRejected() -> [RejectedRow] {
        defer { rejected = [] }
        return rejected
    }

    // MARK: input

    /// Processes rows in arrival order; returns the records that became final.
    func process(_ rows: ArraySlice<QualityRow>) throws -> [QualityRecord] {
        var out: [QualityRecord] = []
        for row in rows {
            recordsRead += 1
            if row.time.isNaN || row.schemaError != nil {
                // A row without an event time cannot be placed in any window, whatever the policy.
                let error = row.schemaError ?? "no event time"
                switch config.schemaPolicy {
                case .raise: throw QualityError.schema("task '\(config.name)': \(error)")
                case .divert:
                    schemaErrors += 1
                    rejected.append(RejectedRow(task: config.name, error: error, columns: columnNames, values: row.values))
                    continue
                case .drop:
                    schemaErrors += 1
                    continue
                case .keep:
                    schemaErrors += 1
                    if row.time.isNaN { continue }
                }
            }
            let key = keyIndex.map { row.values[$0] } ?? .null
            let id: Int
            if let known = keyIDs[key] {
                id = known
            } else {
                id = keyValues.count
                keyIDs[key] = id
                keyValues.append(key)
                keyFirstSeen.append(row.time)
            }
            switch config.window {
            case .sliding(let duration, let hop, let origin):
                addSliding(row, key: key, id: id, duration: duration, hop: hop, origin: origin)
                watermark = max(watermark, row.time)
                emitSliding(upTo: watermark, duration: duration, hop: hop, origin: origin, into: &out)
            case .session(let gap):
                addSession(row, key: key, gap: gap, into: &out)
                watermark = max(watermark, row.time)
                emitSessions(into: &out)
            }
        }
        return out
    }

    /// End of input: every open window is flushed.
    func finish() -> [QualityRecord] {
        var out: [QualityRecord] = []
        switch config.window {
        case .sliding(let duration, let hop, let origin):
            emitSliding(upTo: .infinity, duration: duration, hop: hop, origin: origin, into: &out)
        case .session:
            let all = sessions.flatMap { key, list in list.map { (key, $0) } }.sorted { ($0.1.end, $0.1.id) < ($1.1.end, $1.1.id) }
            for (key, s) in all { emitSession(s, key: key, into: &out) }
            sessions = [:]
        }
        return out
    }

    // MARK: sliding

    private func addSliding(_ row: QualityRow, key: QualityValue, id: Int, duration: Double, hop: Double, origin: Double) {
        guard let ks = WindowSpec.windowIndexes(row.time, duration: duration, hop: hop, origin: origin) else { return }
        var landed = false
        var firstLanded: Int64? = nil
        for k in ks {
            let end = origin + Double(k) * hop + duration
            if end + config.waitForLate <= watermark {
                lateWindowMisses += 1
                continue
            }
            landed = true
            if firstLanded == nil { firstLanded = k }
            if open[k] == nil {
                open[k] = []
                // Mostly appended in order; out-of-order events insert by binary search.
                if let last = openOrder.last, last > k {
                    var lo = 0, hi = openOrder.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if openOrder[mid] < k { lo = mid + 1 } else { hi = mid }
                    }
                    openOrder.insert(k, at: lo)
                } else {
                    openOrder.append(k)
                }
            }
            open[k, default: []].add(row, id: id, newCell)
        }
        if !landed {
            lateDropped += 1
            lateSinceRecord[key, default: 0] += 1
        }
        // An out-of-order event may open a window before the first one seen: start there.
        if config.emitEmptyWindows, let first = firstLanded { nextEmpty = min(nextEmpty ?? first, first) }
    }

    private func emitSliding(upTo mark: Double, duration: Double, hop: Double, origin: Double, into out: inout [QualityRecord]) {
        func end(_ k: Int64) -> Double { origin + Double(k) * hop + duration }
        if config.emitEmptyWindows {
            guard var k = nextEmpty else { return }
            // At end of input (mark = ∞) flush up to the last open window only.
            let limit = mark.isInfinite ? (openOrder.last ?? (k - 1)) : Int64.max
            while k <= limit, end(k) + config.waitForLate <= mark {
                let cells = open.removeValue(forKey: k) ?? []
                if let first = openOrder.first, first == k { openOrder.removeFirst() }
                emitWindow(k, cells: cells, start: end(k) - duration, end: end(k), into: &out)
                k += 1
            }
            nextEmpty = k
            return
        }
        while let k = openOrder.first, end(k) + config.waitForLate <= mark {
            openOrder.removeFirst()
            let cells = open.removeValue(forKey: k) ?? []
            emitWindow(k, cells: cells, start: end(k) - duration, end: end(k), into: &out)
        }
    }

    private func emitWindow(_ k: Int64, cells: [Cell?], start: Double, end: Double, into out: inout [QualityRecord]) {
        var ids = cells.indices.filter { cells[$0] != nil }
        if config.emitEmptyWindows {
            for id in keyValues.indices where (id >= cells.count || cells[id] == nil) && keyFirstSeen[id] < end { ids.append(id) }
        }
        ids.sort { QualityValue.less(keyValues[$0], keyValues[$1]) }
        for id in ids {
            let cell = id < cells.count ? cells[id] : nil
            out.append(record(cell ?? newCell(), key: keyValues[id], start: start, end: end, diff: nil))
        }
    }

    // MARK: sessions

    private func addSession(_ row: QualityRow, key: QualityValue, gap: Double, into out: inout [QualityRecord]) {
        let t = row.time
        if let done = emittedSessions[key], wouldJoin(done, t, gap) {
            lateDropped += 1
            lateWindowMisses += 1
            lateSinceRecord[key, default: 0] += 1
            return
        }
        // Mutated in place in the dictionary: copying a key's list per event was most of the cost.
        var pushed: Deadline? = nil
        var retracted: [QualityRecord] = []
        var current: QualityRecord? = nil
        var list = sessions.removeValue(forKey: key) ?? []
        var first: Int? = nil
        var i = 0
        while i < list.count {
            let s = list[i]
            guard t > s.start - gap && t < s.end + gap else {
                i += 1
                continue
            }
            if let f = first {
                // An out-of-order event bridges two sessions: fold the later one into the first.
                list[f].start = min(list[f].start, s.start)
                list[f].end = max(list[f].end, s.end)
                for j in s.cell.accs.indices { list[f].cell.accs[j].merge(s.cell.accs[j]) }
                list[f].cell.rows += s.cell.rows
                list[f].cell.schemaErrors += s.cell.schemaErrors
                list[f].cell.schemaMessages = Array((list[f].cell.schemaMessages + s.cell.schemaMessages).prefix(10))
                if let r = s.lastEmitted { retracted.append(r) }
                list.remove(at: i)
            } else {
                first = i
                if let r = s.lastEmitted { retracted.append(r) }
                i += 1
            }
        }
        let index: Int
        if let f = first {
            index = f
        } else {
            nextSessionID += 1
            // Keep the list ordered by start.
            let at = list.firstIndex { $0.start > t } ?? list.count
            list.insert(Session(id: nextSessionID, start: t, end: t, cell: newCell()), at: at)
            index = at
            pushed = Deadline(at: t + gap + config.waitForLate, key: key, id: nextSessionID)
        }
        list[index].start = min(list[index].start, t)
        list[index].end = max(list[index].end, t)
        list[index].cell.add(row)
        if config.sessionEmit == .updates {
            current = record(list[index].cell, key: key, start: list[index].start, end: list[index].end, diff: 1)
            list[index].lastEmitted = current
        }
        sessions[key] = list
        // One heap entry per session; a stale one is re-pushed when popped (see emitSessions).
        if let pushed { deadlines.insert(pushed) }
        if config.sessionEmit == .updates {
            for var r in retracted {
                r.diff = -1
                out.append(r)
            }
            out.append(current!)
        }
    }

    /// Whether `t` would join one of a key's emitted sessions (ordered by time). The newest
    /// ones are checked first; once a session ends more than a gap before `t`, older ones do too.
    private func wouldJoin(_ done: [(start: Double, end: Double)], _ t: Double, _ gap: Double) -> Bool {
        for s in done.reversed() {
            if t > s.start - gap && t < s.end + gap { return true }
            if s.end + gap <= t { return false }
        }
        return false
    }

    private func emitSessions(into out: inout [QualityRecord]) {
        guard case .session(let gap) = config.window else { return }
        while let d = deadlines.min, d.at <= watermark {
            _ = deadlines.removeMin()
            guard var list = sessions[d.key], let i = list.firstIndex(where: { $0.id == d.id }) else { continue }
            let s = list[i]
            let due = s.end + gap + config.waitForLate
            guard due <= watermark else {
                // The session grew since this entry was pushed: wait for its real deadline.
                deadlines.insert(Deadline(at: due, key: d.key, id: d.id))
                continue
            }
            list.remove(at: i)
            sessions[d.key] = list.isEmpty ? nil : list
            emitSession(s, key: d.key, into: &out)
        }
    }

    private func emitSession(_ s: Session, key: QualityValue, into out: inout [QualityRecord]) {
        var done = emittedSessions[key] ?? []
        done.append((s.start, s.end))
        // Bounded memory: late events older than the last 256 sessions of a key are not recognised.
        if done.count > 256 { done.removeFirst(done.count - 256) }
        emittedSessions[key] = done
        if config.sessionEmit == .updates {
            // Revisions are not counted; the session's final version is, once it closes.
            windowsEmitted += 1
            failedAssessments += s.lastEmitted?.checks.filter { $0.passed == false }.count ?? 0
            return
        }
        out.append(record(s.cell, key: key, start: s.start, end: s.end, diff: nil))
    }

    // MARK: records

    private func record(_ cell: Cell, key: QualityValue, start: Double, end: Double, diff: Int?) -> QualityRecord {
        let context = WindowContext(start: start, end: end, processingTime: Date().timeIntervalSince1970)
        var checks: [(name: String, value: MeasureResult, passed: Bool?)] = []
        checks.reserveCapacity(checkNames.count)
        for (i, name) in checkNames.enumerated() {
            let value = Self.round(cell.accs[i].result(context), digits: config.precision)
            let passed = config.checks[i].assessment.map { $0.passes(value) }
            if passed == false, diff == nil { failedAssessments += 1 }
            checks.append((name, value, passed))
        }
        if diff == nil { windowsEmitted += 1 }
        var r = QualityRecord(
            task: config.name, windowStart: start, windowEnd: end, isoTime: isoTime,
            key: keyColumn.map { ($0, key) }, checks: checks, schemaErrors: tracksSchema ? cell.schemaErrors : nil,
            late: nil, anomaly: nil, diff: diff)
        if config.schemaMessages { r.schemaMessages = cell.schemaMessages }
        if config.lateColumn, diff == nil {
            r.late = lateSinceRecord.removeValue(forKey: key) ?? 0
        }
        if let a = config.anomaly, diff == nil { r.anomaly = score(a, checks: checks, key: key) }
        return r
    }

    private func score(_ a: AnomalyConfiguration, checks: [(name: String, value: MeasureResult, passed: Bool?)], key: QualityValue)
        -> String
    {
        let values = a.checks.map { name in checks.first { $0.name == name }?.value.number ?? .nan }
        var history = anomalyHistory[key] ?? []
        var worst = 0.0
        if history.count >= a.warmUp {
            for (j, x) in values.enumerated() where !x.isNaN {
                let past = history.map { $0[j] }.filter { !$0.isNaN }
                guard past.count >= 2 else { continue }
                let mean = past.reduce(0, +) / Double(past.count)
                let sd = (past.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(past.count - 1)).squareRoot()
                let z = sd > 0 ? abs(x - mean) / sd : (x == mean ? 0 : .infinity)
                worst = max(worst, z)
            }
        }
        history.append(values)
        if history.count > a.history { history.removeFirst(history.count - a.history) }
        anomalyHistory[key] = history
        if worst >= a.thresholds.critical { return "critical" }
        if worst >= a.thresholds.high { return "high" }
        if worst >= a.thresholds.moderate { return "moderate" }
        return "normal"
    }

    static func round(_ r: MeasureResult, digits: Int) -> MeasureResult {
        switch r {
        case .number(let v):
            let f = pow(10, Double(digits))
            return .number((v * f).rounded() / f)
        case .list(let items): return .list(items.map { round($0, digits: digits) })
        case .object(let fields): return .object(fields.map { ($0.0, round($0.1, digits: digits)) })
        case .value(.double(let v)): return round(.number(v), digits: digits)
        default: return r
        }
    }
}

extension [WindowEngine.Cell?] {
    /// Adds a row to key `id`'s cell, creating it; one dictionary access per window.
    mutating func add(_ row: QualityRow, id: Int, _ make: () -> WindowEngine.Cell) {
        if count <= id { append(contentsOf: repeatElement(nil, count: id + 1 - count)) }
        if self[id] == nil { self[id] = make() }
        self[id]!.add(row)
    }
}

extension WindowEngine.Cell {
    mutating func add(_ row: QualityRow) {
        rows += 1
        if let e = row.schemaError {
            schemaErrors += 1
            if schemaMessages.count < 10 { schemaMessages.append(e) }
        }
        for i in accs.indices { accs[i].add(row) }
    }
}
