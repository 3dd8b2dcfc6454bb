import HTTPCore
import HXCore

/// Runs `body` in a task of its own and cancels it when `limit` passes; the cancellation
/// it then throws is reported as a timeout (exit 28). No limit: runs `body` in place.
func withTimeLimit<T: Sendable>(_ limit: Duration?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let limit else { return try await body() }
    let expired = Locked(false)
    let work = Task { try await body() }
    let timer = Task {
        try await Task.sleep(for: limit)
        expired.withLock { $0 = true }
        work.cancel()
    }
    defer { timer.cancel() }
    do {
        return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
    } catch {
        if expired.withLock({ $0 }) {
            throw HXFailure(.timeout, "timeout(total): the transfer took longer than --timeout \(Units.duration(limit))")
        }
        throw error
    }
}
