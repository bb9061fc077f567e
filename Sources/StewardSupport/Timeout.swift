import Foundation

/// Runs `body`, cancelling it and throwing `error` once `timeout` has passed (a job's attempt and
/// a workflow task's own limit are bounded this way, with ``JobTimeout``; an HTTP request with a
/// 503).
package func withTimeout<T: Sendable>(
    _ timeout: Duration, throwing error: some Error & Sendable, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw error
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
