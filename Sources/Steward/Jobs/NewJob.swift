import Foundation

/// A job to enqueue, untyped: a name and a JSON payload. The typed API builds these.
public struct NewJob: Sendable, Equatable {
    /// The queue it goes to.
    public var queue: String
    /// The registered job name that handles it.
    public var name: String
    /// The parameters, as JSON text.
    public var payload: String
    /// Higher runs first among due jobs of a queue; default 0.
    public var priority: Int
    /// The earliest instant it may run; `nil` means now.
    public var runAt: Date?
    /// The longest one attempt may run before it is cancelled and fails with `JobTimeout`.
    public var timeout: Duration?
    /// Overrides the queue's retry policy for this job.
    public var retryPolicy: RetryPolicy?
    /// Free-form string metadata, kept with the job and given to the handler.
    public var metadata: [String: String]
    /// While a job with this key is scheduled, available or running, enqueueing the same key
    /// returns that job instead of adding another.
    public var uniqueKey: String?
    /// Jobs that must finish (succeed, die or be cancelled) before this one may run; while any
    /// has not, this job is `JobState.waiting`. Each must exist when this job is enqueued.
    public var dependsOn: [JobID] {
        get { links?.dependsOn ?? [] }
        set { update { $0.dependsOn = newValue } }
    }
    /// Parents among the jobs enqueued earlier in the same call, by their index in it (for
    /// graphs enqueued at once, whose ids are not known yet).
    public var dependsOnBatch: [Int] {
        get { links?.dependsOnBatch ?? [] }
        set { update { $0.dependsOnBatch = newValue } }
    }
    /// Waiting jobs this one holds back: each gains it as one more parent, in the same
    /// transaction (a fan-out adds the items it enqueues to the job that collects them). Each
    /// must still be `JobState.waiting`.
    public var holds: [JobID] {
        get { links?.holds ?? [] }
        set { update { $0.holds = newValue } }
    }

    /// The dependencies, absent for most jobs: a bulk enqueue copies each job several times, and
    /// one `nil` copies cheaper than three empty arrays (measured: 6 % of SQLite bulk enqueue).
    struct Links: Sendable, Equatable {
        var dependsOn: [JobID] = []
        var dependsOnBatch: [Int] = []
        var holds: [JobID] = []
        var isEmpty: Bool { dependsOn.isEmpty && dependsOnBatch.isEmpty && holds.isEmpty }
    }
    private var links: Links?

    private mutating func update(_ change: (inout Links) -> Void) {
        var l = links ?? Links()
        change(&l)
        links = l.isEmpty ? nil : l
    }

    /// Creates a job description.
    public init(
        queue: String = "default",
        name: String,
        payload: String = "{}",
        priority: Int = 0,
        runAt: Date? = nil,
        timeout: Duration? = nil,
        retryPolicy: RetryPolicy? = nil,
        metadata: [String: String] = [:],
        uniqueKey: String? = nil,
        dependsOn: [JobID] = [],
        dependsOnBatch: [Int] = [],
        holds: [JobID] = []
    ) {
        if !dependsOn.isEmpty || !dependsOnBatch.isEmpty || !holds.isEmpty {
            links = Links(dependsOn: dependsOn, dependsOnBatch: dependsOnBatch, holds: holds)
        }
        self.queue = queue
        self.name = name
        self.payload = payload
        self.priority = priority
        self.runAt = runAt
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.metadata = metadata
        self.uniqueKey = uniqueKey
    }

    /// The retry policy as a store keeps it: JSON, or `nil` when the job has none.
    public func storedRetryPolicy() throws -> String? {
        try retryPolicy.map { try JSONCoding.encode($0) }
    }

    /// The metadata as a store keeps it: JSON, or `nil` when there is none.
    public func storedMetadata() throws -> String? {
        metadata.isEmpty ? nil : try JSONCoding.encode(metadata)
    }

    /// The longest queue or job name, in UTF-8 bytes: both stores index names, with the same limit.
    public static let maximumNameBytes = 255
    /// The longest unique key, in UTF-8 bytes.
    public static let maximumUniqueKeyBytes = 1024
    /// Priorities and attempt counts are 32-bit in both stores; larger values are refused, not clamped.
    public static let integerRange = Int(Int32.min)...Int(Int32.max)
    /// The most parents one job may have.
    public static let maximumParents = 10_000

    /// Checks a queue or job name: not empty, at most ``maximumNameBytes``, no control characters
    /// (names are printed in tables and logs).
    public static func checkName(_ name: String, field: String) throws {
        if name.isEmpty { throw StewardError.invalidArgument(field: field, message: "\(field): must not be empty") }
        if name.utf8.count > maximumNameBytes {
            throw StewardError.invalidArgument(
                field: field, message: "\(field): \(name.utf8.count) bytes ('\(name.prefix(20))…'); at most \(maximumNameBytes)")
        }
        // Bytes first (every enqueue checks two names): only a non-ASCII name needs Unicode's categories.
        let bytes = name.utf8
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F })
            || (bytes.contains(where: { $0 >= 0x80 })
                && name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }))
        {
            throw StewardError.invalidArgument(field: field, message: "\(field): \(name.debugDescription) contains control characters")
        }
    }

    /// Checks the fields a store relies on; the error names the field and value.
    public func validate() throws {
        try Self.checkName(queue, field: "queue")
        try Self.checkName(name, field: "name")
        if let uniqueKey, uniqueKey.utf8.count > Self.maximumUniqueKeyBytes {
            throw StewardError.invalidArgument(
                field: "unique_key", message: "unique key: \(uniqueKey.utf8.count) bytes; at most \(Self.maximumUniqueKeyBytes) (hash a longer key)")
        }
        guard Self.integerRange.contains(priority) else {
            throw StewardError.invalidArgument(field: "priority", message: "priority: \(priority) is outside \(Self.integerRange.lowerBound)...\(Self.integerRange.upperBound)")
        }
        if let timeout, timeout <= .zero || timeout.seconds > DurationParser.maximumSeconds {
            throw StewardError.invalidArgument(field: "timeout", message: "timeout: must be positive and at most 100 years, got \(timeout)")
        }
        guard let data = payload.data(using: .utf8),
            (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
        else {
            throw StewardError.invalidArgument(field: "payload", message: "payload: not valid JSON: \(payload.prefix(80))")
        }
        try retryPolicy?.validate()
        if dependsOn.count + dependsOnBatch.count > Self.maximumParents {
            throw StewardError.invalidArgument(field: "after", message: "after: \(dependsOn.count + dependsOnBatch.count) parent jobs; at most \(Self.maximumParents)")
        }
        if holds.count > Self.maximumParents {
            throw StewardError.invalidArgument(field: "holds", message: "holds: \(holds.count) jobs; at most \(Self.maximumParents)")
        }
    }

    /// Checks that each job's ``dependsOnBatch`` names only earlier jobs of its batch (each job is
    /// validated on its own by ``validate()``).
    package static func checkBatchIndexes(_ jobs: [NewJob]) throws {
        for (i, job) in jobs.enumerated() where !job.dependsOnBatch.isEmpty {
            if let bad = job.dependsOnBatch.first(where: { !(0..<i).contains($0) }) {
                throw StewardError.invalidArgument(field: "dependsOnBatch", message: "job \(i) of the batch: dependsOnBatch index \(bad) does not name an earlier job")
            }
        }
    }

    /// Whether the store takes the dependency path for this job.
    package var hasDependencies: Bool { links != nil }

    /// The parents as a store keeps them: distinct ids in ascending order (the order parent rows
    /// are locked in), with batch indexes resolved through `earlier`; `nil` when there are none.
    package func storedParents(earlier: [EnqueueResult?]) -> [Int64]? {
        let ids = dependsOn.map(\.rawValue) + dependsOnBatch.compactMap { earlier[$0]?.id.rawValue }
        return ids.isEmpty ? nil : Array(Set(ids)).sorted()
    }
}

/// What enqueueing one job produced.
public struct EnqueueResult: Sendable, Equatable {
    /// The job's id: the new job, or the existing one holding the same unique key.
    public var id: JobID
    /// The job's state right after enqueue.
    public var state: JobState
    /// `true` when a live job with the same unique key already existed and was returned.
    public var duplicate: Bool

    /// Creates an enqueue result.
    public init(id: JobID, state: JobState, duplicate: Bool) {
        self.id = id
        self.state = state
        self.duplicate = duplicate
    }
}
