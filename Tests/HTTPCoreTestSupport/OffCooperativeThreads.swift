import Dispatch

/// Runs blocking work (a child process waited for, a polling sleep, a semaphore) on a
/// thread of its own instead of one of Swift's cooperative threads.
///
/// Not `DispatchQueue.global()`: on Linux Swift's global executor runs its tasks on those
/// same worker threads, as many as cores (two here). The suite blocked them from
/// "off-thread" helpers, so in-process HTTP/2 exchanges waited seconds for a thread: the
/// fuzz replays' 10 s hang check fired in the full suite, and under the sanitizers every
/// in-process pair missed its 30 s read timeout together. A new serial queue targets the
/// overcommitting root queue, which starts a thread rather than wait for one.
package func offCooperativeThreads<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: "httpcore.tests.blocking").async { continuation.resume(with: Result { try body() }) }
    }
}
