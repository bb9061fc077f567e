import Foundation

struct TimeAcc: MeasureAccumulator {
    enum Kind: Sendable { case duration, outOfOrder, freshness }
    let column: Int
    let kind: Kind
    var newest = -Double.infinity
    var outOfOrder = 0
    var rows = 0

    mutating func add(_ row: QualityRow) {
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

    mutating func add(_ row: QualityRow) {
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
