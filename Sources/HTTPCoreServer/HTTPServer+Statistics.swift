public import HTTPCore
public import HTTPTypes

extension HTTPServer {
    /// What happened to the server's connections and requests since it started: the
    /// counters an operator reads, and a test asserts (`HTTPServer.statistics`).
    public struct Statistics: Sendable, Equatable {
        /// Connections ended, by cause.
        public var connectionsEnded: [ConnectionEnd: Int] = [:]
        /// Handlers that threw an `HTTPCoreError` (their own, or a failed read or write of
        /// the exchange they passed on), by its category.
        public var requestsFailed: [HTTPCoreError.Category: Int] = [:]
        /// Handlers that threw any other error.
        public var handlerErrors = 0

        public init() {}
    }

    /// One thing the server observed, as it happens (`Configuration.onEvent`): the typed
    /// source that metrics and logging build on (HTTPCoreMetrics, HTTPCoreTracing).
    ///
    /// Each `connectionOpened` is followed by one `connectionEnded` (a connection refused
    /// at accept has only its `connectionEnded(.refused)`), and each `requestStarted` by
    /// one `requestEnded`, so a gauge of open connections or requests in flight can count
    /// up and down. Request events come from `.requests` handlers only: a `.connections`
    /// handler runs the exchanges itself.
    ///
    /// `connection` is the server's id for a connection (1, 2, ... in accept order) and
    /// `request` its count of requests handled (1, 2, ...): the ids a log carries.
    public enum Event: Sendable {
        /// A connection was accepted (TLS and the protocol still to come), from `remote`.
        case connectionOpened(connection: Int, remote: SocketAddress?)
        /// A connection ended, `duration` after it was accepted (`connection` nil: refused
        /// at accept, before it had an id).
        case connectionEnded(ConnectionEnd, duration: Duration, connection: Int?)
        /// A handler is about to run, with its concurrency permit (if any) taken.
        case requestStarted(method: HTTPRequest.Method, version: HTTPVersion, connection: Int, request: Int)
        /// A handler threw `error`, `duration` after it started (its `requestEnded`
        /// follows).
        case requestFailed(any Error, duration: Duration, connection: Int, request: Int)
        /// A handler's exchange is over: its response ended, or its stream was reset.
        case requestEnded(RequestOutcome)
        /// `count` HTTP/2 streams were refused (REFUSED_STREAM) on one connection: opened
        /// past our SETTINGS_MAX_CONCURRENT_STREAMS before the client acknowledged it, so
        /// the client may send them again. Reported after a request of that connection
        /// ends, and when it ends.
        case streamsRefused(count: Int, connection: Int)
    }

    /// How one request went, for `Event.requestEnded`. Holds no field value, path or body.
    public struct RequestOutcome: Sendable, Equatable {
        public var method: HTTPRequest.Method
        public var version: HTTPVersion
        /// The response status sent: the handler's, or the 500 the server sent for a
        /// handler that sent none. Nil when the exchange was reset before a head went out.
        public var status: Int?
        /// From the request's turn (its wait for a concurrency permit included) to the
        /// exchange's end.
        public var duration: Duration
        /// Response body bytes handed to the connection (before HTTP/1.1 chunk framing).
        public var responseBodyBytes: Int64
        /// Whether the handler threw.
        public var failed: Bool
        /// The server's ids of the connection and the request (as in `requestStarted`).
        public var connection: Int
        public var request: Int

        public init(
            method: HTTPRequest.Method, version: HTTPVersion, status: Int?, duration: Duration, responseBodyBytes: Int64, failed: Bool,
            connection: Int = 0, request: Int = 0
        ) {
            self.connection = connection
            self.request = request
            self.method = method
            self.version = version
            self.status = status
            self.duration = duration
            self.responseBodyBytes = responseBodyBytes
            self.failed = failed
        }
    }
}
