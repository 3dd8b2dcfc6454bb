import Dispatch
import HTTPCore
import HTTPCoreHTTP2

/// Runs the async HTTP/2 exchanges from libFuzzer's synchronous callback, and checks what
/// must be true once a connection is over.
enum AsyncHarness {
    /// How long an exchange may take before it counts as a hang. Fuzzing: 10 s, one input
    /// at a time on an otherwise idle pool. The replays (the test suite, the replay tool):
    /// 60 s, because in the full suite the exchange shares Swift's two cooperative threads
    /// with 600 other tests, some of which block one while a peer process exits; CI saw
    /// an h2-client seed pass 10 s that way.
    #if FUZZING
    static let hangLimit = 10
    static let settleLimit = Duration.seconds(2)
    #else
    static let hangLimit = 60
    static let settleLimit = Duration.seconds(30)
    #endif

    /// Runs `body` to completion on the global executor and waits for it. A fuzz iteration
    /// that takes `hangLimit` seconds is a hang, reported as a crash with its input. Never
    /// call this from a task on the cooperative pool (the replay test calls it from a
    /// thread of its own).
    static func runBlocking(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await body()
            done.signal()
        }
        if done.wait(timeout: .now() + .seconds(hangLimit)) == .timedOut {
            preconditionFailure("fuzz invariant broken: the exchange did not end within \(hangLimit) s (a hang)")
        }
    }

    /// Waits (yielding, at most `settleLimit`) until `condition` holds, else traps with `message`:
    /// a connection settles its books in tasks of its own after it closes.
    static func settle(_ message: @autoclosure () -> String, _ condition: () -> Bool) async {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > settleLimit { preconditionFailure("fuzz invariant broken: \(message())") }
            await Task.yield()
        }
    }

    /// A connection the harness let go of: nil once it is freed.
    struct WeakConnection {
        weak var connection: HTTP2Connection?
    }

    /// Every error out of the connection's API must be the typed one.
    static func checkTyped(_ error: any Error, _ what: String) {
        FuzzCheck.that(error is HTTPCoreError, "\(what) threw an untyped \(type(of: error)): \(error)")
    }
}
