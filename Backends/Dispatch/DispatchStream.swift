public import HTTPCore

/// A TCP or Unix-socket stream driven by DispatchSource read and write sources on one
/// serial queue. Calls made on that queue (tasks preferring `preferredTaskExecutor`) run
/// inline; calls from elsewhere hop onto it once.
public final class DispatchStream: NetworkStream {
    let core: DispatchStreamCore
    public let info: NetworkStreamInfo

    init(core: DispatchStreamCore) {
        self.core = core
        info = NetworkStreamInfo(localAddress: POSIXSocket.localAddress(core.fd), remoteAddress: POSIXSocket.remoteAddress(core.fd))
    }

    deinit {
        let core = core
        core.onLoop { core.close(.graceful) }
    }

    public var preferredTaskExecutor: (any TaskExecutor)? { core.loop.taskExecutor }
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
    public func socketOption(level: Int32, name: Int32) -> Int32? {
        POSIXSocket.option(core.fd, level: level, name: name)
    }
}
