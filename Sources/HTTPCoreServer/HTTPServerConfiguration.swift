import HTTPCore
public import HTTPCoreHTTP1
public import HTTPCoreHTTP2
public import HTTPCoreTLS

extension HTTPServer {
    /// Where to listen, which protocols to speak, and the limits that keep one client from
    /// harming the others. Each limit has a test.
    public struct Configuration: Sendable {
        public enum Address: Sendable, Hashable {
            /// Port 0 picks a free port: read it from `HTTPServer.localAddress`.
            case tcp(host: String, port: Int)
            case unix(path: String)
        }

        public var address: Address
        /// TLS with ALPN choosing `h2` or `http/1.1` (the server's preference first); nil
        /// for cleartext, where HTTP/2 is taken by prior knowledge from the connection
        /// preface and anything else is HTTP/1.1.
        public var tls: TLSContext?
        /// Speak HTTP/2 at all (ALPN `h2`, or h2c by prior knowledge).
        public var http2 = true
        /// At most this many requests handled at once across the server; the rest wait in
        /// order of arrival (`.requests` handlers). An HTTP/2 client is also told through
        /// SETTINGS_MAX_CONCURRENT_STREAMS, which is all that applies to a `.connections`
        /// handler, as in aioh2, whose `concurrency` is that setting. Nil: no limit.
        public var concurrency: Int?
        /// At most this many connections open; more are closed at once. Nil: no limit.
        public var maxConnections: Int?
        public var timeouts = Timeouts()
        public var http1Limits = HTTP1Limits()
        /// The HTTP/2 settings and defences (stream windows, header list size,
        /// CONTINUATION, SETTINGS and PING floods, the rapid-reset rate).
        public var http2Connection = HTTP2Connection.Configuration()
        /// Called with each `Event` (a connection's end and its cause, a handler's
        /// failure), on the connection's task: keep it short, and do not call into the
        /// server from it. `HTTPServer.statistics` counts the same events.
        public var onEvent: (@Sendable (Event) -> Void)?

        public init(address: Address = .tcp(host: "127.0.0.1", port: 0), tls: TLSContext? = nil) {
            self.address = address
            self.tls = tls
        }
    }

    public struct Timeouts: Sendable {
        /// From accepting a connection (or the end of the previous request) to a complete
        /// request head, TLS handshake included: the slowloris bound.
        public var requestHead: Duration? = .seconds(10)
        /// A keep-alive connection with no request in flight is closed after this.
        public var idle: Duration? = .seconds(60)
        /// Each wait for request body bytes (nginx's `client_body_timeout`): a stalled
        /// upload gets 408 over HTTP/1.1 (unless the response has begun) and a reset
        /// stream over HTTP/2, and the handler's read throws `.readTimeout`.
        public var body: Duration? = .seconds(30)
        /// How long sending a response may make no progress (nginx's `send_timeout`): the
        /// client's socket must take each piece of at most 256 KiB within it, and over
        /// HTTP/2 a stream's flow-control window must open within it (any byte that
        /// leaves restarts the wait; a slow reader is not a stalled one). A client that
        /// stops reading, or whose packets vanish, has its HTTP/1.1 connection closed or
        /// its HTTP/2 stream reset (and the connection closed once the socket itself
        /// stalls), and the handler's write throws `.writeTimeout`: its task, its
        /// concurrency permit and the connection are freed. Nil: no bound.
        public var write: Duration? = .seconds(30)
        /// Graceful shutdown lets requests in flight finish for this long, then closes.
        public var shutdownGrace: Duration = .seconds(10)

        public init() {}
    }
}
