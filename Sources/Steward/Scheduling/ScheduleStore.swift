import Foundation

/// Where schedules persist: definitions, pause state and firings (decided by the scheduler;
/// the store keeps rows and applies each firing with its job in one transaction).
public protocol ScheduleStore: JobStore {
    /// Stores schedule definitions in one transaction: a new name is inserted whole; an existing
    /// one gets the record's definition and next fire, keeping its paused flag and counters.
    func saveSchedules(_ records: [ScheduleRecord]) async throws

    /// Every stored schedule, by name.
    func schedules() async throws -> [ScheduleRecord]

    /// Unpaused schedules whose next fire is at or before `now`, earliest first, at most `limit`.
    func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord]

    /// Pauses or resumes a schedule, setting its next fire. Throws
    /// `StewardError.scheduleNotFound` for an unknown name.
    func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws

    /// Deletes a stored schedule (jobs it enqueued stay). Throws
    /// `StewardError.scheduleNotFound` for an unknown name.
    func deleteSchedule(_ name: String) async throws

    /// Applies firings in one transaction, each as ``ScheduleFire`` describes; one result per
    /// firing, in order.
    func recordScheduleFires(_ fires: [ScheduleFire], now: Date) async throws -> [ScheduleFireResult]
}
