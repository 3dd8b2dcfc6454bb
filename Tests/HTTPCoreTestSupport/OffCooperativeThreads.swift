import Dispatch

/// Runs blocking work (a child process waited for, a polling sleep, a semaphore) on a
/// Dispatch thread instead of one of Swift's cooperative threads. This machine has two of
/// those: two tests blocking them starve every other test's tasks, and under a sanitizer,
/// where the child (an instrumented hx) runs several times slower, in-process HTTP/2 pairs
/// then missed their 30 s read timeouts.
package func offCooperativeThreads<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
