public import HTTPCore

/// A TCP or Unix-socket stream on a libuv loop.
///
/// Calls made on the loop thread (tasks that prefer `preferredTaskExecutor`, actors on
/// `serialExecutor`) run inline with no hop; calls from elsewhere hop to the loop once.
public final class LibUVStream: NetworkStream {
    let core: UVStreamCore
    public let info: NetworkStreamInfo

    init(core: UVStreamCore) {
        self.core = core
        info = NetworkStreamInfo(localAddress: core.socket.localAddress, remoteAddress: core.socket.remoteAddress)
    }

    deinit {
        let core = core
        core.onLoop { core.close(.graceful) }
    }

    /// The loop this stream lives on: run code that uses the stream with this preference
    /// and it never leaves the loop thread.
    public var preferredTaskExecutor: (any TaskExecutor)? { core.loop.taskExecutor }
    /// The loop as a serial executor, for actors that own connections on it.
    public var serialExecutor: any SerialExecutor { core.loop }

    public var isReadable: Bool { core.readable.value }

    public func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        try await core.read(maxBytes: maxBytes, deadline: deadline)
    }

    public func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        try await core.write(bytes, deadline: deadline)
    }

    public func close(_ mode: CloseMode) async { await core.closeOnLoop(mode) }

    /// Reads a socket option back (for tests and diagnostics).
    public func socketOption(level: Int32, name: Int32) async -> Int32? {
        await withCheckedContinuation { continuation in
            let core = core
            core.onLoop { continuation.resume(returning: core.socket.option(level: level, name: name)) }
        }
    }
}
