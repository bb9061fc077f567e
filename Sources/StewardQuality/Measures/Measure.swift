import Foundation

/// A measure's running state for one window (and key). Built-ins and custom measures conform;
/// measures accumulate incrementally and keep values only when they need them.
public protocol MeasureAccumulator: Sendable {
    /// Adds one row of the window.
    mutating func add(_ row: QualityRow)
    /// Folds in another accumulator of the same measure (sessions merging).
    mutating func merge(_ other: any MeasureAccumulator)
    /// The measure's value for the window.
    func result(_ window: WindowContext) -> MeasureResult
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
    package var needsColumn: Bool {
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
