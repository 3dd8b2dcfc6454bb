/// The loop-side half of a backend stream (libuv loop, dispatch queue): state that only
/// its loop touches. The public stream forwards to these helpers, which hop to the loop
/// once, or not at all when the caller already runs there.
package protocol LoopStreamCore: AnyObject, Sendable {
    var isOnLoop: Bool { get }
    /// Runs `body` on the loop: inline when already there.
    func onLoop(_ body: @escaping @Sendable () -> Void)
    /// Buffered bytes, EOF or an error, when a read can finish without waiting (on the loop).
    func readNow(maxBytes: Int) -> Result<[UInt8]?, HTTPCoreError>?
    func startRead(_ waiter: Waiter<[UInt8]?>, maxBytes: Int, deadline: HTTPInstant?)
    func readCancelled(_ waiter: Waiter<[UInt8]?>)
    func startWrite(_ bytes: [UInt8], _ waiter: Waiter<Void>, deadline: HTTPInstant?)
    func writeCancelled(_ waiter: Waiter<Void>)
    func close(_ mode: CloseMode)
}

extension LoopStreamCore {
    package func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        if isOnLoop, let ready = readNow(maxBytes: maxBytes) { return try ready.get() }
        let waiter = Waiter<[UInt8]?>()
        onLoop { self.startRead(waiter, maxBytes: maxBytes, deadline: deadline) }
        return try await waiter.wait { self.onLoop { self.readCancelled(waiter) } }
    }

    package func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        let waiter = Waiter<Void>()
        onLoop { self.startWrite(bytes, waiter, deadline: deadline) }
        // Written inline on the loop: no suspension needed.
        if let done = waiter.finishedResult { return try done.get() }
        try await waiter.wait { self.onLoop { self.writeCancelled(waiter) } }
    }

    /// Closes on the loop and returns once the loop has done it.
    package func closeOnLoop(_ mode: CloseMode) async {
        if isOnLoop { return close(mode) }
        await withCheckedContinuation { continuation in
            onLoop {
                self.close(mode)
                continuation.resume()
            }
        }
    }
}
