public import HTTPCore
public import HTTPCoreDecoding
public import HTTPCorePool
public import HTTPCoreTLS
public import Logging

extension HTTPClient {
    /// What a client does by default. The defaults are httpx's: 5 s to connect, for each
    /// read and write and for a pooled connection, no total deadline; 100 connections, 20
    /// kept alive for 5 s; HTTP/1.1 only until `http2` is turned on.
    public struct Configuration: Sendable {
        /// Relative URLs resolve against this (RFC 3986 §5), e.g. `https://api.example.com/v1/`.
        public var baseURL: String?
        /// Sent with every request; a request's own field of the same name replaces them.
        public var headers: [(String, String)] = [("User-Agent", HTTPClient.userAgent), ("Accept", "*/*")]
        public var timeouts = Timeouts(connect: .seconds(5), read: .seconds(5), write: .seconds(5), pool: .seconds(5), total: nil)
        public var http1 = true
        /// Offer HTTP/2 in ALPN for https; with `http1` off, http:// gets HTTP/2 by prior knowledge.
        public var http2 = false
        public var maxConnections = 100
        public var maxKeepaliveConnections = 20
        public var keepaliveExpiry: Duration? = .seconds(5)
        /// TLS for https origins; nil: the system trust store with full verification.
        public var tls: TLSConfiguration?
        public var proxy: Proxy?
        /// httpx's `trust_env`: with no `proxy` and no `pool.proxyRoutes`, take the proxies from
        /// `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` (`ProxyRoutes.fromEnvironment`
        /// has the rules; invalid values are skipped, and it lists them).
        public var trustEnvironment = true
        /// The variables `trustEnvironment` reads; nil: this process's environment.
        public var environment: [String: String]?
        /// Bodies with a Content-Encoding (gzip, deflate, br, zstd, at most two stacked) are
        /// decoded as they stream, within these limits (a decoded-size cap, a ratio cap), and
        /// `Accept-Encoding` offers them unless the request sets its own. Nil: nothing
        /// offered, bodies as they arrive (as httpx with `Accept-Encoding: identity`).
        public var decoding: DecodingPolicy? = .default
        /// Cookies: Set-Cookie from every response (redirect hops included) is kept in this
        /// RFC 6265 jar and sent back where it matches. Nil: the client makes a jar of its
        /// own (`HTTPClient.cookies`); give one jar to several clients to share it.
        public var cookieJar: CookieJar?
        /// False: no jar at all, no Cookie sent but the request's own.
        public var storesCookies = true
        /// Off by default; see `RetryPolicy` for what is retried, and when not.
        public var retries = RetryPolicy.off
        /// Shared by every request of the client: retries stay a fraction of the traffic.
        public var retryBudget = RetryBudget()
        /// Redirects followed, up to 20, by default (see `RedirectPolicy` for the rules and
        /// how that differs from httpx); a request can override it.
        public var redirects = RedirectPolicy.follow
        /// Authentication for every request (`.basic`, `.bearer`, `.digest` or a
        /// `ClientAuth` of your own), applied only to the origin of each chain's first
        /// request; a request's `auth:` or URL credentials replace it.
        public var auth: (any ClientAuth)?
        /// The most a buffered response (`get`, `post`, ... and the streaming helpers
        /// `bytes()`, `text()`, `json(as:)`) may hold: a larger body fails with
        /// `.bodyTooLarge` and its connection is closed. Stream to go past it.
        public var maxBufferedBodySize = 64 << 20
        /// The backend for connections; nil: a libuv backend the client makes and shuts down.
        public var backend: (any NetworkBackend)?
        /// Every request goes here instead of to a pool (httpx's `transport=`): a mock, a
        /// `ClosureTransport`, a connection, or a pool of your own. No backend is made.
        public var transport: (any RequestInterface)?
        /// Transports for URL prefixes (httpx's `mounts`), e.g. `("http://localhost:9000",
        /// mock)`; the longest matching prefix wins, other URLs go to the default.
        public var mounts: [(prefix: String, transport: any RequestInterface)] = []
        /// The pool's remaining options (retries, Unix socket, local address, socket
        /// options, HTTP/2 fan-out and settings). The fields above override theirs.
        public var pool = ConnectionPool.Configuration()
        /// Closures run on every request before it goes out and on every response head
        /// (httpx's `event_hooks`); see `Hooks`.
        public var hooks = Hooks()
        /// Where the client logs (debug and trace only; see `HTTPClient+Logging.swift` for
        /// what, and what never). A request's `logger:` replaces it.
        /// Integrations that watch every request (metrics, tracing): each hears its
        /// start, may add fields, and gets its trace events (`HTTPClientObserver`).
        public var observers: [any HTTPClientObserver] = []
        public var logger = Logger(label: HTTPClient.loggerLabel)

        public init() {}

        /// With HTTP/2 offered (httpx's `AsyncClient(http2=True)`).
        public init(http2: Bool, baseURL: String? = nil) {
            self.http2 = http2
            self.baseURL = baseURL
        }

        var poolConfiguration: ConnectionPool.Configuration {
            var pool = self.pool
            pool.http1 = http1
            pool.http2 = http2
            pool.maxConnections = maxConnections
            pool.maxKeepaliveConnections = maxKeepaliveConnections
            pool.keepaliveExpiry = keepaliveExpiry
            pool.tls = tls
            pool.proxy = proxy
            if trustEnvironment, proxy == nil, pool.proxyRoutes == nil {
                pool.proxyRoutes = ProxyRoutes.fromEnvironment(environment ?? ProxyRoutes.processEnvironment).routes
            }
            pool.connectTimeout = timeouts.connect
            return pool
        }
    }

    /// `User-Agent` by default.
    public static let userAgent = "swift-httpcore/0.1"
}
