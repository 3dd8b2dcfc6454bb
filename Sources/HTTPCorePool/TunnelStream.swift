import HTTPCore

/// A tunnel through a proxy whose first bytes were read along with the proxy's reply:
/// reads return those first, then go to the inner stream. Everything else is the inner
/// stream's, so TLS and HTTP run over it as over a socket.
final class TunnelStream: NetworkStream {
    private let inner: any NetworkStream
    private let leftover: Locked<ReadBuffer>

    init(inner: any NetworkStream, leftover: [UInt8]) {
        self.inner = inner
        var buffer = ReadBuffer()
        buffer.append(leftover)
        self.leftover = Locked(buffer)
    }

    func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        if let replayed = leftover.withLock({ $0.isEmpty ? nil : $0.take(maxBytes) }) { return replayed }
        return try await inner.read(maxBytes: maxBytes, deadline: deadline)
    }

    func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        try await inner.write(bytes, deadline: deadline)
    }

    func close(_ mode: CloseMode) async { await inner.close(mode) }

    var info: NetworkStreamInfo { inner.info }

    var isReadable: Bool { !leftover.withLock(\.isEmpty) || inner.isReadable }

    var preferredTaskExecutor: (any TaskExecutor)? { inner.preferredTaskExecutor }
}
