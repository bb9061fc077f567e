/// A running job's progress report, persisted and shown by `steward job status`.
public struct JobProgress: Codable, Sendable, Equatable {
    /// The current step number, if the job counts steps.
    public var step: Int?
    /// How many steps there are, if known.
    public var totalSteps: Int?
    /// Completion in percent (0...100).
    public var percent: Double?
    /// A human-readable note on what the job is doing.
    public var message: String?

    /// Creates a progress report; every part is optional.
    public init(step: Int? = nil, totalSteps: Int? = nil, percent: Double? = nil, message: String? = nil) {
        self.step = step
        self.totalSteps = totalSteps
        // NaN or infinity from a handler's arithmetic is no percentage (and would not encode).
        self.percent = percent.flatMap { $0.isFinite ? Swift.min(100, Swift.max(0, $0)) : nil }
        self.message = message
    }

    /// The report as it reads once the job succeeded: 100 %, the last step of a known count (a
    /// handler's final report may not have been written before its success was).
    public var finished: JobProgress {
        JobProgress(step: totalSteps ?? step, totalSteps: totalSteps, percent: 100, message: message)
    }
}
