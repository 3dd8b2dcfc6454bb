public import HTTPCore
public import HTTPCoreHTTP2
public import HTTPCoreTLS

extension ConnectionPool {
    /// httpcore's ConnectionPool options, plus the pool timeout (per request, in
    /// `RequestOptions.timeouts.pool`) and HTTP/2 fan-out.
    public struct Configuration: Sendable {
        /// TLS for https origins. Nil: the system trust store with full verification; the
        /// ALPN list always follows `http1`/`http2`.
        public var tls: TLSConfiguration?
        public var http1 = true
        /// With `http1` off, http:// origins get HTTP/2 by prior knowledge (h2c).
        public var http2 = false
        /// Connections open or opening at once, over all origins.
        public var maxConnections = 100
        /// Idle connections kept; the longest idle beyond this are closed.
        public var maxKeepaliveConnections = 20
        public var keepaliveExpiry: Duration? = .seconds(5)
        /// Each attempt's limit for TCP connect plus the proxy handshake (if any) plus the
        /// TLS handshakes. An attempt opened for a request whose `Timeouts.connect` is
        /// smaller takes that instead. The request itself never waits past its own pool
        /// timeout or total deadline: an attempt no request waits for any more is abandoned.
        public var connectTimeout: Duration? = .seconds(10)
        /// Connection attempts after the first, with exponential backoff (0.5 s, 1 s, 2 s, ...).
        public var retries = 0
        /// Bind every connection to this local address.
        public var localAddress: String?
        /// Connect every origin through this Unix socket instead of TCP.
        public var unixSocketPath: String?
        public var socketOptions: [SocketOption] = [.noDelay]
        /// When every HTTP/2 connection to an origin is at its stream limit, open another,
        /// up to this many per origin.
        public var maxHTTP2ConnectionsPerOrigin = 4
        public var http2Connection = HTTP2Connection.Configuration()
        /// Hears each HTTP/2 frame of every connection with the connection's id (as in
        /// `snapshot` and `events()`), for logging at trace level (HTTPCoreLogging's
        /// `PoolLogger`). Nil (the default) costs nothing.
        public var frameObserver: (@Sendable (_ connection: Int, HTTP2FrameEvent) -> Void)?
        /// Every connection goes through this proxy; connections are still kept per origin
        /// (the requested scheme, host and port). Through an HTTP(S) proxy, http:// origins
        /// are forwarded over HTTP/1.1 whatever `http2` says; https:// origins and every
        /// origin through SOCKS5 negotiate as if connected directly. With `unixSocketPath`,
        /// the socket leads to the proxy.
        public var proxy: Proxy?
        /// A proxy per origin (per scheme, with NO_PROXY exceptions), used when `proxy` is
        /// nil; `ProxyRoutes.fromEnvironment` reads them from `http_proxy` and friends.
        /// Connections are kept per origin, and an origin always takes the same route.
        public var proxyRoutes: ProxyRoutes?

        public init() {}

        /// What TLS offers in ALPN.
        var applicationProtocols: [String] {
            (http2 ? ["h2"] : []) + (http1 ? ["http/1.1"] : [])
        }
    }
}
