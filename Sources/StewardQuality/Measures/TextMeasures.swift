import Foundation

/// An anchored regular expression (the whole value must match).
package struct AnchoredRegex: Sendable {
    let pattern: String
    let regex: NSRegularExpression

    package init(_ pattern: String) throws {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: "\\A(?:\(pattern))\\z")
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

    mutating func add(_ row: QualityRow) {
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

    mutating func add(_ row: QualityRow) {
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
