import HTTPCore

/// What a proxy handshake asks its driver to do next.
enum ProxyHandshakeAction {
    /// Write these bytes, then read the proxy's answer.
    case write([UInt8])
    case readMore
    /// The tunnel is open. `leftover`: bytes that came after the proxy's reply; they
    /// belong to the tunnel (a pipelining proxy, or an origin that speaks first).
    case done(leftover: [UInt8])
    case failed(HTTPCoreError)
}

/// A client handshake with a proxy (HTTP CONNECT, SOCKS5) as a value: fed what the proxy
/// sends, it says what to write, when the tunnel is open, or why it failed. No I/O, so
/// tests drive it byte by byte; `run(over:)` is the one place that touches a stream.
protocol ProxyHandshake {
    /// The first step, normally `.write` of the opening request.
    mutating func start() -> ProxyHandshakeAction
    /// The proxy sent `bytes`; nil means it closed the connection.
    mutating func received(_ bytes: [UInt8]?) -> ProxyHandshakeAction
}

extension ProxyHandshake {
    /// Runs the handshake over `stream` until the tunnel is open and returns it (`stream`
    /// itself, or a `TunnelStream` that first replays bytes read past the proxy's reply).
    /// Every read and write stops at `deadline` (then `.connectTimeout`) or on
    /// cancellation; on any failure `stream` is closed before this throws.
    mutating func run(over stream: any NetworkStream, deadline: HTTPInstant?) async throws(HTTPCoreError) -> any NetworkStream {
        var action = start()
        do {
            while true {
                switch action {
                case .write(let bytes):
                    try await stream.write(bytes, deadline: deadline)
                    action = received(try await stream.read(maxBytes: 16 * 1024, deadline: deadline))
                case .readMore:
                    action = received(try await stream.read(maxBytes: 16 * 1024, deadline: deadline))
                case .done(let leftover):
                    return leftover.isEmpty ? stream : TunnelStream(inner: stream, leftover: leftover)
                case .failed(let error):
                    throw error
                }
            }
        } catch {
            var failure = HTTPCoreError.from(error, default: .proxyProtocolError)
            if failure.code == .readTimeout || failure.code == .writeTimeout {
                failure = HTTPCoreError(.connectTimeout, "the proxy handshake did not finish in time", underlying: failure)
            }
            await stream.close(.abortive)
            throw failure.with(processing: .notProcessed)
        }
    }
}
