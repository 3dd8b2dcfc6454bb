/// Runs `body`, then `teardown` whether `body` returned or threw: an asynchronous
/// `defer`, for harness teardown that must not block a cooperative thread (stopping a
/// process, removing a network namespace).
package func withTeardown<T>(
    _ body: () async throws -> T,
    teardown: () async -> Void
) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await teardown()
        throw error
    }
    await teardown()
    return result
}
