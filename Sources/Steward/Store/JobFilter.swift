import Foundation

/// Which jobs ``JobStore/jobs(_:now:)`` lists.
public struct JobFilter: Sendable, Equatable {
    /// Only jobs of this queue.
    public var queue: String?
    /// Only jobs in this state (a due `scheduled` job counts as `available`).
    public var state: JobState?
    /// Only jobs with this name.
    public var name: String?
    /// At most this many, newest id first.
    public var limit: Int
    /// Only ids below this one (for paging backwards).
    public var beforeID: JobID?
    /// Only jobs waiting to retry: scheduled for later after a failed attempt (they carry its
    /// error). `state` nil or `scheduled` with it (``JobAdmin/list(_:)`` refuses another).
    public var retrying: Bool

    /// Creates a filter.
    public init(
        queue: String? = nil, state: JobState? = nil, name: String? = nil, limit: Int = 100, beforeID: JobID? = nil, retrying: Bool = false
    ) {
        self.queue = queue
        self.state = state
        self.name = name
        self.limit = limit
        self.beforeID = beforeID
        self.retrying = retrying
    }
}
