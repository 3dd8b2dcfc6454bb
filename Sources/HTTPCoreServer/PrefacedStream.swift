import HTTPCore

/// A stream whose first bytes were read already (to tell HTTP/2's connection preface from
/// an HTTP/1.1 request on cleartext): reads return them first, then read on.
final class PrefacedStream: NetworkStream {
    private let inner: any NetworkStream
    private let pending: Locked<[UInt8]>

    init(_ inner: any NetworkStream, prefix: [UInt8]) {
        self.inner = inner
        pending = Locked(prefix)
    }

    func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        let ready = pending.withLock { pending -> [UInt8]? in
            guard !pending.isEmpty else { return nil }
            let count = min(maxBytes, pending.count)
            defer { pending.removeFirst(count) }
            return Array(pending[..<count])
        }
        if let ready { return ready }
        return try await inner.read(maxBytes: maxBytes, deadline: deadline)
    }

    func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws { try await inner.write(bytes, deadline: deadline) }
    func close(_ mode: CloseMode) async { await inner.close(mode) }
    var info: NetworkStreamInfo { inner.info }
    var isReadable: Bool { pending.withLock { !$0.isEmpty } || inner.isReadable }
    var preferredTaskExecutor: (any TaskExecutor)? { inner.preferredTaskExecutor }

    /// HTTP/2's client connection preface (RFC 9113 §3.4).
    static let http2Preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Reads until the bytes match the HTTP/2 preface or cannot: returns whether they do,
    /// and the stream to go on with (the bytes read are read again from it). Nil when the
    /// client closed before saying anything.
    static func sniff(_ stream: any NetworkStream, deadline: HTTPInstant?) async throws -> (isHTTP2: Bool, stream: any NetworkStream)? {
        var prefix: [UInt8] = []
        while prefix.count < http2Preface.count {
            guard let bytes = try await stream.read(maxBytes: http2Preface.count - prefix.count, deadline: deadline) else {
                if prefix.isEmpty { return nil }
                break
            }
            prefix += bytes
            if !http2Preface.starts(with: prefix) { break }
        }
        return (prefix == http2Preface, PrefacedStream(stream, prefix: prefix))
    }
}
