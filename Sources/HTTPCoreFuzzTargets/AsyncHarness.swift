import Dispatch
import HTTPCore
import HTTPCoreHTTP2

/// Runs the async HTTP/2 exchanges from libFuzzer's synchronous callback, and checks what
/// must be true once a connection is over.
enum AsyncHarness {
    /// Runs `body` to completion on the global executor and waits for it. A fuzz iteration
    /// that takes 10 s is a hang, reported as a crash with its input. Never call this from a
    /// task on the cooperative pool (the replay test calls it from a Dispatch thread).
    static func runBlocking(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await body()
            done.signal()
        }
        if done.wait(timeout: .now() + .seconds(10)) == .timedOut {
            preconditionFailure("fuzz invariant broken: the exchange did not end within 10 s (a hang)")
        }
    }

    /// Waits (yielding, at most 2 s) until `condition` holds, else traps with `message`:
    /// a connection settles its books in tasks of its own after it closes.
    static func settle(_ message: @autoclosure () -> String, _ condition: () -> Bool) async {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > .seconds(2) { preconditionFailure("fuzz invariant broken: \(message())") }
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
