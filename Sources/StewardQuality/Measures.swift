import Foundation

/// A measure's running state for one window (and key). Built-ins and custom measures conform;
/// measures accumulate incrementally and keep values only when they need them.
public protocol MeasureAccumulator: Sendable {
    /// Adds one row of the window.
    mutating func add(_ row: Row)
    /// Folds in another accumulator of the same measure (sessions merging).
    mutating func merge(_ other: any MeasureAccumulator)
    /// The measure's value for the window.
    func result(_ window: WindowContext) -> MeasureResult
}

/// A row as tasks see it: values in the source's column order, plus its event time.
public struct Row: Sendable {
    /// Values by column position.
    public var values: [QualityValue]
    /// Event time in seconds since the epoch.
    public var time: Double
    /// Why the row breaks the source's schema, if it does (bad cells hold their raw text).
    public var schemaError: String?

    /// Creates a row.
    public init(values: [QualityValue], time: Double, schemaError: String? = nil) {
        self.values = values
        self.time = time
        self.schemaError = schemaError
    }
}

/// What a measure may know about its window when computing the result.
public struct WindowContext: Sendable {
    /// Window start (event time, seconds).
    public var start: Double
    /// Window end (event time, seconds; for a session, its last event).
    public var end: Double
    /// Wall-clock time of the emission (seconds since the epoch).
    public var processingTime: Double
}

/// A built-in measure and its parameters. Names follow the configuration (`mean`,
/// `missing_count`, …); see docs/quality.md.
public enum Measure: Sendable, Equatable {
    case count, presentCount, missingCount(disguised: [QualityValue]), missingFraction(disguised: [QualityValue]), availability
    case distinctCount, distinctFraction, distinctCountApprox, uniqueCount, uniqueFraction, mostFrequent, constancy, isFrozen
    case min, max, sum, mean, median, percentiles([Double]), stdDev, variance, aboveMeanCount, aboveMeanFraction, trend
    case correlation(other: String, method: CorrelationMethod)
    case firstDigitFrequencies
    case rangeConformanceCount(low: Double, high: Double, inclusive: Bool)
    case rangeConformanceFraction(low: Double, high: Double, inclusive: Bool)
    case setConformanceCount([QualityValue]), setConformanceFraction([QualityValue])
    case regexConformanceCount(String), regexConformanceFraction(String)
    case minLength, maxLength, meanLength
    case windowDuration, satisfiesOrdering(Ordering), outOfOrderCount, freshness

    /// Pearson (linear) or Spearman (rank) correlation.
    public enum CorrelationMethod: String, Sendable { case pearson, spearman }
    /// Orderings for `satisfies_ordering`.
    public enum Ordering: String, Sendable { case asc, ascEq = "asc_eq", desc, descEq = "desc_eq" }

    /// The measures without parameters, by configuration name.
    public static let parameterless: [String: Measure] = [
        "count": .count, "present_count": .presentCount, "availability": .availability, "distinct_count": .distinctCount,
        "distinct_fraction": .distinctFraction, "distinct_count_approx": .distinctCountApprox, "unique_count": .uniqueCount,
        "unique_fraction": .uniqueFraction, "most_frequent": .mostFrequent, "constancy": .constancy, "is_frozen": .isFrozen,
        "min": .min, "max": .max, "sum": .sum, "mean": .mean, "median": .median, "std_dev": .stdDev, "variance": .variance,
        "above_mean_count": .aboveMeanCount, "above_mean_fraction": .aboveMeanFraction, "trend": .trend,
        "first_digit_frequencies": .firstDigitFrequencies, "min_length": .minLength, "max_length": .maxLength,
        "mean_length": .meanLength, "window_duration": .windowDuration, "out_of_order_count": .outOfOrderCount,
        "freshness": .freshness,
    ]

    /// Every configuration name, for error messages.
    public static let names = (Array(parameterless.keys) + [
        "missing_count", "missing_fraction", "percentiles", "correlation", "range_conformance_count",
        "range_conformance_fraction", "set_conformance_count", "set_conformance_fraction", "regex_conformance_count",
        "regex_conformance_fraction", "satisfies_ordering",
    ]).sorted()

    /// Whether the measure reads a column.
    var needsColumn: Bool {
        switch self {
        case .count, .windowDuration, .freshness, .outOfOrderCount: false
        default: true
        }
    }

    /// A fresh accumulator reading column `column` (and `other` for correlation).
    func makeAccumulator(column: Int, other: Int) throws -> any MeasureAccumulator {
        switch self {
        case .count: return CountAcc(column: column, disguised: [], kind: .rows)
        case .presentCount: return CountAcc(column: column, disguised: [], kind: .present)
        case .missingCount(let d): return CountAcc(column: column, disguised: Set(d), kind: .missing)
        case .missingFraction(let d): return CountAcc(column: column, disguised: Set(d), kind: .missingFraction)
        case .availability: return CountAcc(column: column, disguised: [], kind: .available)
        case .distinctCount: return DistinctAcc(column: column, kind: .distinct)
        case .distinctFraction: return DistinctAcc(column: column, kind: .distinctFraction)
        case .uniqueCount: return DistinctAcc(column: column, kind: .unique)
        case .uniqueFraction: return DistinctAcc(column: column, kind: .uniqueFraction)
        case .mostFrequent: return DistinctAcc(column: column, kind: .mostFrequent)
        case .constancy: return DistinctAcc(column: column, kind: .constancy)
        case .isFrozen: return DistinctAcc(column: column, kind: .frozen)
        case .distinctCountApprox: return HyperLogLogAcc(column: column)
        case .min: return StatsAcc(column: column, kind: .min)
        case .max: return StatsAcc(column: column, kind: .max)
        case .sum: return StatsAcc(column: column, kind: .sum)
        case .mean: return StatsAcc(column: column, kind: .mean)
        case .variance: return StatsAcc(column: column, kind: .variance)
        case .stdDev: return StatsAcc(column: column, kind: .stdDev)
        case .median: return ValuesAcc(column: column, kind: .percentiles([50], single: true))
        case .percentiles(let ps): return ValuesAcc(column: column, kind: .percentiles(ps, single: false))
        case .aboveMeanCount: return ValuesAcc(column: column, kind: .aboveMean(fraction: false))
        case .aboveMeanFraction: return ValuesAcc(column: column, kind: .aboveMean(fraction: true))
        case .trend: return TrendAcc(column: column)
        case .correlation(_, .pearson): return PearsonAcc(a: column, b: other)
        case .correlation(_, .spearman): return SpearmanAcc(a: column, b: other)
        case .firstDigitFrequencies: return BenfordAcc(column: column)
        case .rangeConformanceCount(let lo, let hi, let inc):
            return ConformanceAcc(column: column, test: .range(lo, hi, inc), fraction: false)
        case .rangeConformanceFraction(let lo, let hi, let inc):
            return ConformanceAcc(column: column, test: .range(lo, hi, inc), fraction: true)
        case .setConformanceCount(let set):
            return ConformanceAcc(column: column, test: .set(Set(set.map(\.normalized))), fraction: false)
        case .setConformanceFraction(let set):
            return ConformanceAcc(column: column, test: .set(Set(set.map(\.normalized))), fraction: true)
        case .regexConformanceCount(let p):
            return ConformanceAcc(column: column, test: .regex(try AnchoredRegex(p)), fraction: false)
        case .regexConformanceFraction(let p):
            return ConformanceAcc(column: column, test: .regex(try AnchoredRegex(p)), fraction: true)
        case .minLength: return LengthAcc(column: column, kind: .min)
        case .maxLength: return LengthAcc(column: column, kind: .max)
        case .meanLength: return LengthAcc(column: column, kind: .mean)
        case .windowDuration: return TimeAcc(column: column, kind: .duration)
        case .satisfiesOrdering(let o): return OrderingAcc(column: column, ordering: o)
        case .outOfOrderCount: return TimeAcc(column: column, kind: .outOfOrder)
        case .freshness: return TimeAcc(column: column, kind: .freshness)
        }
    }
}

// MARK: built-in accumulators

struct CountAcc: MeasureAccumulator {
    enum Kind: Sendable { case rows, present, missing, missingFraction, available }
    let column: Int
    let disguised: Set<QualityValue>
    let kind: Kind
    var rows = 0
    var missing = 0

    mutating func add(_ row: Row) {
        rows += 1
        let v = row.values[column]
        if v.isMissing || (!disguised.isEmpty && disguised.contains(v)) { missing += 1 }
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        rows += o.rows
        missing += o.missing
    }
    func result(_ w: WindowContext) -> MeasureResult {
        switch kind {
        case .rows: .integer(rows)
        case .present: .integer(rows - missing)
        case .missing: .integer(missing)
        case .missingFraction: rows == 0 ? .null : .number(Double(missing) / Double(rows))
        case .available: .bool(rows - missing > 0)
        }
    }
}

struct DistinctAcc: MeasureAccumulator {
    enum Kind: Sendable { case distinct, distinctFraction, unique, uniqueFraction, mostFrequent, constancy, frozen }
    let column: Int
    let kind: Kind
    var counts: [QualityValue: Int] = [:]
    var rows = 0

    mutating func add(_ row: Row) {
        rows += 1
        counts[row.values[column], default: 0] += 1
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        rows += o.rows
        counts.merge(o.counts, uniquingKeysWith: +)
    }
    func result(_ w: WindowContext) -> MeasureResult {
        let present = counts.filter { !$0.key.isMissing }
        let presentRows = present.values.reduce(0, +)
        switch kind {
        case .distinct: return .integer(counts.count)
        case .distinctFraction: return rows == 0 ? .null : .number(Double(counts.count) / Double(rows))
        case .unique: return .integer(present.values.filter { $0 == 1 }.count)
        case .uniqueFraction:
            return presentRows == 0 ? .null : .number(Double(present.values.filter { $0 == 1 }.count) / Double(presentRows))
        case .mostFrequent:
            guard let best = present.max(by: { a, b in a.value != b.value ? a.value < b.value : QualityValue.less(b.key, a.key) })
            else { return .null }
            return .value(best.key)
        case .constancy:
            guard presentRows > 0, let top = present.values.max() else { return .null }
            return .number(Double(top) / Double(presentRows))
        case .frozen:
            return presentRows == 0 ? .null : .bool(present.count == 1 && presentRows > 1)
        }
    }
}

struct StatsAcc: MeasureAccumulator {
    enum Kind: Sendable { case min, max, sum, mean, variance, stdDev }
    let column: Int
    let kind: Kind
    var n = 0.0
    var mean = 0.0
    var m2 = 0.0
    var sum = 0.0
    var minValue: QualityValue? = nil
    var maxValue: QualityValue? = nil

    mutating func add(_ row: Row) {
        let v = row.values[column]
        switch kind {
        case .min, .max:
            guard !v.isMissing else { return }
            if minValue == nil || QualityValue.less(v, minValue!) { minValue = v }
            if maxValue == nil || QualityValue.less(maxValue!, v) { maxValue = v }
        default:
            guard let x = v.number else { return }
            n += 1
            sum += x
            let d = x - mean
            mean += d / n
            m2 += d * (x - mean)
        }
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        if let v = o.minValue, minValue == nil || QualityValue.less(v, minValue!) { minValue = v }
        if let v = o.maxValue, maxValue == nil || QualityValue.less(maxValue!, v) { maxValue = v }
        guard o.n > 0 else { return }
        let total = n + o.n
        let d = o.mean - mean
        m2 += o.m2 + d * d * n * o.n / total
        mean += d * o.n / total
        n = total
        sum += o.sum
    }
    func result(_ w: WindowContext) -> MeasureResult {
        switch kind {
        case .min: return minValue.map { .value($0) } ?? .null
        case .max: return maxValue.map { .value($0) } ?? .null
        case .sum: return n == 0 ? .null : .number(sum)
        case .mean: return n == 0 ? .null : .number(mean)
        // Sample variance (n - 1), as pandas and most SQL engines report it.
        case .variance: return n < 2 ? .null : .number(m2 / (n - 1))
        case .stdDev: return n < 2 ? .null : .number((m2 / (n - 1)).squareRoot())
        }
    }
}

struct ValuesAcc: MeasureAccumulator {
    enum Kind: Sendable { case percentiles([Double], single: Bool), aboveMean(fraction: Bool) }
    let column: Int
    let kind: Kind
    var values: [Double] = []

    mutating func add(_ row: Row) {
        if let x = row.values[column].number { values.append(x) }
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        if let o = other as? Self { values += o.values }
    }
    func result(_ w: WindowContext) -> MeasureResult {
        guard !values.isEmpty else { return .null }
        switch kind {
        case .percentiles(let ps, let single):
            let sorted = values.sorted()
            // Linear interpolation between closest ranks (numpy's default).
            func p(_ q: Double) -> Double {
                let pos = q / 100 * Double(sorted.count - 1)
                let lo = Int(pos.rounded(.down))
                let hi = Swift.min(lo + 1, sorted.count - 1)
                return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
            }
            return single ? .number(p(ps[0])) : .list(ps.map { .number(p($0)) })
        case .aboveMean(let fraction):
            let mean = values.reduce(0, +) / Double(values.count)
            let above = values.filter { $0 > mean }.count
            return fraction ? .number(Double(above) / Double(values.count)) : .integer(above)
        }
    }
}

/// Least-squares slope of the value over event time (per second), from running sums taken
/// relative to a reference time so large epoch values do not cancel.
struct TrendAcc: MeasureAccumulator {
    let column: Int
    var ref: Double? = nil
    var n = 0.0, st = 0.0, sv = 0.0, stt = 0.0, stv = 0.0

    mutating func add(_ row: Row) {
        guard let v = row.values[column].number else { return }
        if ref == nil { ref = row.time }
        let t = row.time - ref!
        n += 1
        st += t
        sv += v
        stt += t * t
        stv += t * v
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self, let oref = o.ref else { return }
        guard let r = ref else { return self = o }
        let d = oref - r  // o's times are t' = t - oref = t - r - d
        st += o.st + o.n * d
        sv += o.sv
        stt += o.stt + 2 * d * o.st + o.n * d * d
        stv += o.stv + d * o.sv
        n += o.n
    }
    func result(_ w: WindowContext) -> MeasureResult {
        let denom = n * stt - st * st
        guard n >= 2, denom > 0 else { return .null }
        return .number((n * stv - st * sv) / denom)
    }
}

struct PearsonAcc: MeasureAccumulator {
    let a: Int, b: Int
    var n = 0.0, ma = 0.0, mb = 0.0, caa = 0.0, cbb = 0.0, cab = 0.0

    mutating func add(_ row: Row) {
        guard let x = row.values[a].number, let y = row.values[b].number else { return }
        n += 1
        let dx = x - ma
        ma += dx / n
        let dy = y - mb
        mb += dy / n
        caa += dx * (x - ma)
        cbb += dy * (y - mb)
        cab += dx * (y - mb)
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self, o.n > 0 else { return }
        let total = n + o.n
        let (dx, dy) = (o.ma - ma, o.mb - mb)
        caa += o.caa + dx * dx * n * o.n / total
        cbb += o.cbb + dy * dy * n * o.n / total
        cab += o.cab + dx * dy * n * o.n / total
        ma += dx * o.n / total
        mb += dy * o.n / total
        n = total
    }
    func result(_ w: WindowContext) -> MeasureResult {
        guard n >= 2, caa > 0, cbb > 0 else { return .null }
        return .number(cab / (caa * cbb).squareRoot())
    }
}

struct SpearmanAcc: MeasureAccumulator {
    let a: Int, b: Int
    var xs: [Double] = [], ys: [Double] = []

    mutating func add(_ row: Row) {
        guard let x = row.values[a].number, let y = row.values[b].number else { return }
        xs.append(x)
        ys.append(y)
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        xs += o.xs
        ys += o.ys
    }
    /// Ranks with ties given their average rank.
    static func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, v[order[j + 1]] == v[order[i]] { j += 1 }
            let avg = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = avg }
            i = j + 1
        }
        return r
    }
    func result(_ w: WindowContext) -> MeasureResult {
        var p = PearsonAcc(a: 0, b: 1)
        for (x, y) in zip(Self.ranks(xs), Self.ranks(ys)) {
            p.add(Row(values: [.double(x), .double(y)], time: 0))
        }
        return p.result(w)
    }
}

/// Benford: the share of each leading digit 1–9 among non-zero numbers.
struct BenfordAcc: MeasureAccumulator {
    let column: Int
    var counts = [Int](repeating: 0, count: 10)

    mutating func add(_ row: Row) {
        guard var x = row.values[column].number.map(abs), x > 0, x.isFinite else { return }
        while x >= 10 { x /= 10 }
        while x < 1 { x *= 10 }
        counts[Swift.min(9, Int(x))] += 1
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        for i in 0..<10 { counts[i] += o.counts[i] }
    }
    func result(_ w: WindowContext) -> MeasureResult {
        let total = counts.reduce(0, +)
        guard total > 0 else { return .null }
        return .list((1...9).map { .number(Double(counts[$0]) / Double(total)) })
    }
}

/// An anchored regular expression (the whole value must match).
struct AnchoredRegex: Sendable {
    let pattern: String
    let regex: NSRegularExpression

    init(_ pattern: String) throws {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: "^(?:\(pattern))$")
        } catch {
            throw QualityError.config("regex '\(pattern)': not a valid regular expression")
        }
    }

    func matches(_ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}


struct ConformanceAcc: MeasureAccumulator {
    enum Test: Sendable {
        case range(Double, Double, Bool)
        case set(Set<QualityValue>)
        case regex(AnchoredRegex)
    }
    let column: Int
    let test: Test
    let fraction: Bool
    var present = 0
    var passing = 0

    mutating func add(_ row: Row) {
        let v = row.values[column]
        guard !v.isMissing else { return }
        present += 1
        let ok: Bool
        switch test {
        case .range(let lo, let hi, let inclusive):
            guard let x = v.number else { ok = false; break }
            ok = inclusive ? (x >= lo && x <= hi) : (x > lo && x < hi)
        case .set(let allowed):
            ok = allowed.contains(v.normalized)
        case .regex(let r):
            ok = v.text.map(r.matches) ?? false
        }
        if ok { passing += 1 }
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        present += o.present
        passing += o.passing
    }
    func result(_ w: WindowContext) -> MeasureResult {
        if !fraction { return .integer(passing) }
        return present == 0 ? .null : .number(Double(passing) / Double(present))
    }
}

struct LengthAcc: MeasureAccumulator {
    enum Kind: Sendable { case min, max, mean }
    let column: Int
    let kind: Kind
    var n = 0, total = 0, lo = Int.max, hi = Int.min

    mutating func add(_ row: Row) {
        let v = row.values[column]
        guard !v.isMissing, let s = v.text else { return }
        let len = s.count
        n += 1
        total += len
        lo = Swift.min(lo, len)
        hi = Swift.max(hi, len)
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        n += o.n
        total += o.total
        lo = Swift.min(lo, o.lo)
        hi = Swift.max(hi, o.hi)
    }
    func result(_ w: WindowContext) -> MeasureResult {
        guard n > 0 else { return .null }
        switch kind {
        case .min: return .integer(lo)
        case .max: return .integer(hi)
        case .mean: return .number(Double(total) / Double(n))
        }
    }
}

struct TimeAcc: MeasureAccumulator {
    enum Kind: Sendable { case duration, outOfOrder, freshness }
    let column: Int
    let kind: Kind
    var newest = -Double.infinity
    var outOfOrder = 0
    var rows = 0

    mutating func add(_ row: Row) {
        rows += 1
        if row.time < newest { outOfOrder += 1 }
        newest = Swift.max(newest, row.time)
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        rows += o.rows
        outOfOrder += o.outOfOrder
        newest = Swift.max(newest, o.newest)
    }
    func result(_ w: WindowContext) -> MeasureResult {
        switch kind {
        case .duration: return .number(w.end - w.start)
        case .outOfOrder: return .integer(outOfOrder)
        case .freshness: return rows == 0 ? .null : .number(w.processingTime - newest)
        }
    }
}

/// Whether the column's values, taken in event-time order, follow the ordering.
struct OrderingAcc: MeasureAccumulator {
    let column: Int
    let ordering: Measure.Ordering
    var points: [(Double, Double)] = []

    mutating func add(_ row: Row) {
        if let x = row.values[column].number { points.append((row.time, x)) }
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        if let o = other as? Self { points += o.points }
    }
    func result(_ w: WindowContext) -> MeasureResult {
        guard !points.isEmpty else { return .null }
        let xs = points.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        let ok = zip(xs, xs.dropFirst()).allSatisfy { a, b in
            switch ordering {
            case .asc: a < b
            case .ascEq: a <= b
            case .desc: a > b
            case .descEq: a >= b
            }
        }
        return .bool(ok)
    }
}

/// HyperLogLog with 2^12 registers (~1.6 % standard error, 4 KB per window and key).
struct HyperLogLogAcc: MeasureAccumulator {
    static let p = 12
    static let m = 1 << p
    let column: Int
    var registers = [UInt8](repeating: 0, count: HyperLogLogAcc.m)

    /// 64-bit FNV-1a over the value's text, then a finalizer to spread the bits.
    static func hash(_ v: QualityValue) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let tag: UInt8
        switch v {
        case .null: tag = 0
        case .int: tag = 1
        case .double: tag = 2
        case .string: tag = 3
        case .bool: tag = 4
        }
        h = (h ^ UInt64(tag)) &* 0x100_0000_01b3
        for byte in (v.text ?? "").utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    mutating func add(_ row: Row) {
        let h = Self.hash(row.values[column])
        let index = Int(h >> UInt64(64 - Self.p))
        let rest = (h << UInt64(Self.p)) | (1 << UInt64(Self.p - 1))
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if rank > registers[index] { registers[index] = rank }
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? Self else { return }
        for i in 0..<Self.m where o.registers[i] > registers[i] { registers[i] = o.registers[i] }
    }
    func result(_ w: WindowContext) -> MeasureResult {
        let m = Double(Self.m)
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += 1 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        var estimate = alpha * m * m / sum
        if estimate <= 2.5 * m, zeros > 0 { estimate = m * log(m / Double(zeros)) }  // linear counting
        return .integer(Int(estimate.rounded()))
    }
}
