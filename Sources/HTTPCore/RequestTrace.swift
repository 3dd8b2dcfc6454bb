/// Watches one request's progress through the layers, for tools that report phases
/// (`hx -v`) and timings. Set it in `RequestOptions.trace`.
///
/// `record` runs synchronously where the event happens, sometimes under a connection's
/// lock: it must be quick, must not block, and must not call back into the library.
public struct RequestTrace: Sendable {
    public enum Event: Sendable {
        /// The pool handed the request a connection: a new one (TCP, TLS and ALPN done) or
        /// a reused one. `stream` names the addresses and, over TLS, the version, cipher
        /// and ALPN result.
        case connectionAcquired(stream: NetworkStreamInfo, reused: Bool)
        /// The last byte of the request went to the stream: the head and body written
        /// (HTTP/1.1), or the frame carrying END_STREAM sent (HTTP/2).
        case requestSent
    }

    public let record: @Sendable (Event) -> Void

    public init(_ record: @escaping @Sendable (Event) -> Void) {
        self.record = record
    }
}
