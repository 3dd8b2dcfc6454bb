public import HTTPCore

/// A TCP or Unix-socket stream on a libuv loop.
///
/// Calls made on the loop thread (tasks that prefer `taskExecutor`, actors on
/// `serialExecutor`) run inline with no hop; calls from elsewhere hop to the loop once.
public final class LibUVStream: NetworkStream {
    let core: UVStreamCore
    public let info: NetworkStreamInfo
    private let clock: any HTTPClock

    init(core: UVStreamCore, clock: any HTTPClock) {
        self.core = core
        self.clock = clock
        info = NetworkStreamInfo(localAddress: core.socket.localAddress, remoteAddress: core.socket.remoteAddress)
    }

    deinit {
        let core = core
        core.loop.execute { core.close(.graceful) }
    }

    /// The loop this stream lives on, as a task executor: run code that uses the stream
    /// with this preference and it never leaves the loop thread.
    public var preferredTaskExecutor: (any TaskExecutor)? { core.loop.taskExecutor }
    /// The loop as a serial executor, for actors that own connections on it.
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
        // Written inline on the loop: no suspension needed.
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
    public func socketOption(level: Int32, name: Int32) async -> Int32? {
        await withCheckedContinuation { continuation in
            let core = core
            core.loop.execute { continuation.resume(returning: core.socket.option(level: level, name: name)) }
        }
    }
}
