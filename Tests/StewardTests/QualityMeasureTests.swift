import Foundation
import StewardQuality
import Testing

/// One window over `values` (column v, event times 0, 1, 2, …) and the given measures.
func measure(_ values: [QualityValue], _ checks: [QualityCheck], times: [Double]? = nil, other: [QualityValue]? = nil)
    async throws -> [MeasureResult]
{
    let schema = try SourceSchema(
        columns: [.init("ts", .float), .init("v", .string, nullable: true), .init("w", .float, nullable: true)],
        timeColumn: "ts", validates: false)
    let ts = times ?? values.indices.map(Double.init)
    let rows = values.indices.map { i in
        QualityRow(values: [.double(ts[i]), values[i], other?[i] ?? .null], time: ts[i])
    }
    let monitor = QualityMonitor()
    monitor.addSource(ArraySource(name: "s", schema: schema, rows: rows))
    try monitor.addTask(QualityTaskConfiguration(name: "m", source: "s", window: .tumbling(1_000_000), checks: checks))
    let stream = monitor.records()
    try await monitor.run()
    var out: [QualityRecord] = []
    for await r in stream { out.append(r) }
    return try #require(out.first).checks.map(\.value)
}

func c(_ m: Measure, _ column: String? = "v") throws -> QualityCheck { try QualityCheck(m, column: column) }

let nums: [QualityValue] = [.double(4), .double(1), .null, .double(3), .string(""), .double(-999), .double(1)]

@Suite("Quality measures and assessments")
struct QualityMeasureTests {
    @Test("volume and completeness; disguised missing values")
    func completeness() async throws {
        let r = try await measure(
            nums,
            [
                try c(.count, nil), try c(.presentCount), try c(.missingCount(disguised: [])),
                try c(.missingCount(disguised: [.double(-999)])), try c(.missingFraction(disguised: [.double(-999)])),
                try c(.availability),
            ])
        #expect(r == [.integer(7), .integer(5), .integer(2), .integer(3), .number(0.429), .bool(true)])
    }

    @Test("distinctness: raw values for distinct, present ones for unique, ties to the smallest")
    func distinctness() async throws {
        let vals: [QualityValue] = [.string("b"), .string("a"), .null, .string("b"), .string(""), .string("a"), .string("c")]
        let r = try await measure(
            vals,
            [
                try c(.distinctCount), try c(.distinctFraction), try c(.uniqueCount), try c(.uniqueFraction),
                try c(.mostFrequent), try c(.constancy), try c(.isFrozen), try c(.distinctCountApprox),
            ])
        // Raw values: b, a, null, "", c = 5 of 7 rows. Present: b×2, a×2, c×1 -> unique 1 of 5.
        #expect(r == [.integer(5), .number(0.714), .integer(1), .number(0.2), .value(.string("a")), .number(0.4), .bool(false), .integer(5)])
        let frozen = try await measure([.double(7), .double(7), .null], [try c(.isFrozen)])
        #expect(frozen == [.bool(true)])
    }

    @Test("HyperLogLog stays within 5 % on 20,000 distinct values")
    func hyperLogLog() async throws {
        let values = (0..<20_000).map { QualityValue.string("user-\($0 % 20_000)") }
        let r = try await measure(values + values.prefix(5_000), [try c(.distinctCountApprox)])
        guard case .integer(let estimate) = r[0] else { Issue.record("\(r)"); return }
        #expect(abs(Double(estimate) - 20_000) / 20_000 < 0.05, "estimate \(estimate)")
    }

    @Test("statistics: min, max, sum, mean, median, percentiles, sample variance and its square root")
    func statistics() async throws {
        let v: [QualityValue] = [.double(2), .double(4), .double(4), .double(4), .double(5), .double(5), .double(7), .double(9), .null]
        let r = try await measure(
            v,
            [
                try c(.min), try c(.max), try c(.sum), try c(.mean), try c(.median), try c(.percentiles([25, 90])),
                try c(.variance), try c(.stdDev), try c(.aboveMeanCount), try c(.aboveMeanFraction),
            ])
        // mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7 = 4.571.
        #expect(r == [
            .number(2), .number(9), .number(40), .number(5), .number(4.5), .list([.number(4), .number(7.6)]), .number(4.571),
            .number(2.138), .integer(2), .number(0.25),
        ])
    }

    @Test("trend is the least-squares slope over event time; correlations")
    func trendAndCorrelation() async throws {
        let t: [Double] = [1_700_000_000, 1_700_000_010, 1_700_000_020, 1_700_000_030]
        let r = try await measure([.double(1), .double(3), .double(5), .double(7)], [try c(.trend)], times: t)
        #expect(r == [.number(0.2)])
        let x: [QualityValue] = [.double(1), .double(2), .double(3), .double(4), .double(5)]
        let y: [QualityValue] = [.double(2), .double(4), .double(5), .double(4), .double(5)]
        let corr = try await measure(
            x,
            [
                try c(.correlation(other: "w", method: .pearson)), try c(.correlation(other: "w", method: .spearman)),
            ], other: y)
        // Pearson 0.7746; Spearman on ranks (1..5) vs (1, 2.5, 4.5, 2.5, 4.5) = 0.7379.
        #expect(corr == [.number(0.775), .number(0.738)])
    }

    @Test("first-digit frequencies (Benford)")
    func benford() async throws {
        let r = try await measure([.double(1), .double(12), .double(0.15), .double(230), .double(0), .double(-9)], [try c(.firstDigitFrequencies)])
        // Non-zero numbers 1, 12, 0.15, 230, -9: leading digits 1, 1, 1, 2, 9.
        let expected: [MeasureResult] = [0.6, 0.2, 0, 0, 0, 0, 0, 0, 0.2].map { .number($0) }
        #expect(r == [.list(expected)])
    }

    @Test("validity: ranges, sets, anchored regexes, lengths")
    func validity() async throws {
        let v: [QualityValue] = [.string("ab1"), .string("abc"), .string("x"), .null, .string("ab22")]
        let r = try await measure(
            v,
            [
                try c(.regexConformanceCount("ab[0-9]+")), try c(.regexConformanceFraction("ab[0-9]+")),
                try c(.setConformanceCount([.string("x"), .string("abc")])), try c(.minLength), try c(.maxLength),
                try c(.meanLength),
            ])
        #expect(r == [.integer(2), .number(0.5), .integer(2), .integer(1), .integer(4), .number(2.75)])
        let n: [QualityValue] = [.double(0), .double(5), .double(10), .double(11)]
        let ranges = try await measure(
            n,
            [
                try c(.rangeConformanceCount(low: 0, high: 10, inclusive: true)),
                try c(.rangeConformanceFraction(low: 0, high: 10, inclusive: false)),
                try c(.setConformanceFraction([.int(5), .int(11)])),
            ])
        #expect(ranges == [.integer(3), .number(0.25), .number(0.5)])
    }

    @Test("time: window duration, ordering by event time, out-of-order arrivals")
    func time() async throws {
        let v: [QualityValue] = [.double(1), .double(3), .double(2)]
        let r = try await measure(
            v, [try c(.satisfiesOrdering(.asc)), try c(.outOfOrderCount, nil), try c(.windowDuration, nil)], times: [10, 30, 20])
        // By event time the values are 1, 2, 3: ascending. Arrival 10, 30, 20: one out of order.
        #expect(r == [.bool(true), .integer(1), .number(1_000_000)])
    }

    @Test("assessments: forms, rounding before assessment, null fails, bad text is an error naming it")
    func assessments() throws {
        func pass(_ text: String, _ x: Double?) throws -> Bool {
            try Assessment(parsing: text).passes(x.map { .number($0) } ?? .null)
        }
        #expect(try pass(">50", 50.1) && !pass(">50", 50))
        #expect(try pass(">= -1e2", -100) && !pass("<=1.5", 1.6))
        #expect(try pass("== 3", 3) && pass("!=3", 4) && pass("< 0", -0.5))
        #expect(try pass("(0, 100)", 50) && !pass("(0, 100)", 0) && pass("[0, 100]", 0) && pass("(0,100]", 100))
        #expect(try !pass("[0, 100)", 100) && pass(" [ -1.5 , +2e1 ] ", 20))
        #expect(try !pass(">0", nil))
        for bad in ["> fifty", "50", "(1, 2", "(2, 1)", "[3, 3)", "(1; 2)", "=>3", "", "(1, 2, 3)"] {
            #expect(throws: AssessmentError.self) { _ = try Assessment(parsing: bad) }
        }
        #expect(try Assessment(parsing: "[3, 3]").passes(.number(3)))
        #expect(Assessment("even") { ($0.number ?? 1).truncatingRemainder(dividingBy: 2) == 0 }.passes(.integer(4)))
    }
}

/// A custom measure: the range (max − min) of a numeric column.
struct SpreadAcc: MeasureAccumulator {
    let column: Int
    var lo = Double.infinity, hi = -Double.infinity
    mutating func add(_ row: QualityRow) {
        guard let x = row.values[column].number else { return }
        lo = min(lo, x)
        hi = max(hi, x)
    }
    mutating func merge(_ other: any MeasureAccumulator) {
        guard let o = other as? SpreadAcc else { return }
        lo = min(lo, o.lo)
        hi = max(hi, o.hi)
    }
    func result(_ w: WindowContext) -> MeasureResult { lo > hi ? .null : .number(hi - lo) }
}

extension QualityMeasureTests {
    @Test("a custom measure plugs in like the built-ins, assessed and merged across sessions")
    func customMeasure() async throws {
        let check = QualityCheck(name: "spread", column: "v", assessment: try Assessment(parsing: "< 5")) { SpreadAcc(column: $0) }
        let r = try await measure([.double(3), .double(9), .null, .double(4.5)], [check])
        #expect(r == [.number(6)])
        let (sessions, _) = try await runQuality(
            [("a", 0, 1), ("a", 8, 7), ("a", 4, 3)], window: .session(maxGap: 5), waitForLate: 100, key: true,
            checks: [QualityCheck(name: "spread", column: "v", assessment: try Assessment(parsing: "< 5")) { SpreadAcc(column: $0) }])
        #expect(sessions.map { $0.checks[0].value } == [.number(6)])
        #expect(sessions.map { $0.checks[0].passed } == [false])
    }
}
