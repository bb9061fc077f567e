

/// One check of a task: a measure over a column, optionally assessed.
public struct QualityCheck: Sendable {
    /// The output field's name (`check_1`, `check_2`, … when not given).
    public var name: String?
    /// The built-in measure, or `nil` for a custom one.
    public var measure: Measure?
    /// The column it reads (not needed by `count`, `window_duration`, `freshness`).
    public var column: String?
    /// The pass/fail rule, if any.
    public var assessment: Assessment?
    /// Builds a custom measure's accumulator (given the column's position).
    public var custom: (@Sendable (Int) -> any MeasureAccumulator)?

    /// A built-in measure; `mustBe` is parsed now and refused with its text quoted.
    public init(name: String? = nil, _ measure: Measure, column: String? = nil, mustBe: String? = nil) throws {
        self.name = name
        self.measure = measure
        self.column = column
        self.assessment = try mustBe.map { try Assessment(parsing: $0) }
    }

    /// A custom measure built from a type conforming to ``MeasureAccumulator``.
    public init(
        name: String, column: String, assessment: Assessment? = nil,
        custom: @escaping @Sendable (_ columnIndex: Int) -> any MeasureAccumulator
    ) {
        self.name = name
        self.column = column
        self.assessment = assessment
        self.custom = custom
    }
}
