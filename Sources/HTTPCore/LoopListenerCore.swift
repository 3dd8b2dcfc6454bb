/// The loop-side half of a backend listener (libuv loop, dispatch queue), as
/// `LoopStreamCore` is for streams: accepted streams and who waits, touched only on its
/// loop. The public listener forwards to these helpers, which hop to the loop.
package protocol LoopListenerCore: AnyObject, Sendable {
    associatedtype Stream: NetworkStream
    /// Runs `body` on the loop.
    func onLoop(_ body: @escaping @Sendable () -> Void)
    func accept(_ next: Waiter<Stream?>)
    func acceptCancelled(_ cancelled: Waiter<Stream?>)
    func close()
}

extension LoopListenerCore {
    /// The next accepted stream; nil once the listener is closed.
    package func acceptOnLoop() async throws -> Stream? {
        let waiter = Waiter<Stream?>()
        onLoop { self.accept(waiter) }
        return try await waiter.wait { self.onLoop { self.acceptCancelled(waiter) } }
    }

    /// Closes on the loop and returns once the loop has done it.
    package func closeOnLoop() async {
        await withCheckedContinuation { continuation in
            onLoop {
                self.close()
                continuation.resume()
            }
        }
    }
}
