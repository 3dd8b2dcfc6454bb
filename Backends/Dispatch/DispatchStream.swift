public import HTTPCore

/// A TCP or Unix-socket stream driven by DispatchSource read and write sources on one
/// serial queue. Calls made on that queue (tasks preferring `taskExecutor`) run inline.
public final class DispatchStream: NetworkStream {
    let core: DispatchStreamCore
    public let info: NetworkStreamInfo
    private let clock: any HTTPClock

    init(core: DispatchStreamCore, clock: any HTTPClock) {
        self.core = core
        self.clock = clock
        info = NetworkStreamInfo(localAddress: POSIXSocket.localAddress(core.fd), remoteAddress: POSIXSocket.remoteAddress(core.fd))
    }

    deinit {
        let core = core
        core.loop.execute { core.close(.graceful) }
    }

    public var preferredTaskExecutor: (any TaskExecutor)? { core.loop.taskExecutor }
    public var serialExecutor: any SerialExecutor { core.loop }

    public var isReadable: Bool { core.readable.value }

    public func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        let core = core
        if core.loop.isOnLoop, let ready = core.readNow(maxBytes: maxBytes) { return try ready.get() }
        let waiter = Waiter<[UInt8]?>()
        let clock = clock
        core.loop.execute { core.startRead(waiter, maxBytes: maxBytes, deadline: deadline, clock: clock) }
        return try await waiter.wait { core.loop.execute { core.readCancelled(waiter) } }
    }

    public func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        let core = core
        let waiter = Waiter<Void>()
        let clock = clock
        core.loop.execute { core.startWrite(bytes, waiter, deadline: deadline, clock: clock) }
        if let done = waiter.finishedResult { return try done.get() }
        try await waiter.wait { core.loop.execute { core.writeCancelled(waiter) } }
    }

    public func close(_ mode: CloseMode) async {
        let core = core
        if core.loop.isOnLoop { return core.close(mode) }
        await withCheckedContinuation { continuation in
            core.loop.execute {
                core.close(mode)
                continuation.resume()
            }
        }
    }

    /// Reads a socket option back (for tests and diagnostics).
    public func socketOption(level: Int32, name: Int32) -> Int32? {
        POSIXSocket.option(core.fd, level: level, name: name)
    }
}
