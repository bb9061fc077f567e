import Foundation

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

    mutating func add(_ row: QualityRow) {
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

    mutating func add(_ row: QualityRow) {
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

    mutating func add(_ row: QualityRow) {
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

    mutating func add(_ row: QualityRow) {
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

    mutating func add(_ row: QualityRow) {
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
            p.add(QualityRow(values: [.double(x), .double(y)], time: 0))
        }
        return p.result(w)
    }
}

/// Benford: the share of each leading digit 1–9 among non-zero numbers.
struct BenfordAcc: MeasureAccumulator {
    let column: Int
    var counts = [Int](repeating: 0, count: 10)

    mutating func add(_ row: QualityRow) {
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
