public import HTTPTypes

/// The typed record of one request's life, event by event, each stamped with the
/// backend's monotonic clock: name resolution, every Happy Eyeballs attempt, TCP, the
/// proxy handshake, TLS, the pool's queue, the request and response as they cross the
/// wire, retries, redirects and the error that ended it. One enum for HTTP/1.1 and
/// HTTP/2, every backend, the pool and the client, so a tool (`hx --trace`), a metrics
/// summary (`RequestMetrics`) or an integration (logs, metrics, spans) reads one shape.
///
/// Set it in `RequestOptions.trace`. `record` runs synchronously where the event
/// happens, sometimes under a connection's lock or on a backend's loop thread: it must be
/// quick, must not block, and must not call back into the library.
///
/// A connection's setup (resolution, attempts, TCP, proxy, TLS) is recorded as it
/// happens and handed to the request that gets the new connection, with the times it
/// happened, just before `.acquired`; a request served on a reused connection has none.
public struct RequestTrace: Sendable {
    public enum Event: Sendable, Equatable {
        /// The pool took the request (each attempt: a retry or a redirect hop starts again).
        case started(method: HTTPRequest.Method, origin: Origin)
        /// No connection was free: the request waits in the pool's queue.
        case queued
        /// A new connection is being opened for this request, to `host` (the proxy's, when
        /// one is used) or to a Unix socket at `host`.
        case connectStarted(host: String, port: Int)
        case resolutionStarted(host: String)
        case resolutionEnded(addresses: [ResolvedAddress])
        /// One Happy Eyeballs attempt (RFC 8305) starts, and its outcome: nil when it
        /// connected, else why it failed (or `.cancelled` when another attempt won).
        case attemptStarted(ResolvedAddress)
        case attemptEnded(ResolvedAddress, failure: HTTPCoreError.Code?)
        /// The transport is up (TCP connected, or the Unix socket).
        case connectEnded(local: SocketAddress?, remote: SocketAddress?)
        /// CONNECT or SOCKS5 through a proxy (`kind` is `CONNECT`, `SOCKS5`).
        case proxyHandshakeStarted(kind: String)
        case proxyHandshakeEnded
        case tlsStarted(serverName: String)
        case tlsEnded(version: String?, cipher: String?, alpn: String?, resumed: Bool)
        /// The pool handed the request a connection: `connection` is its id in the pool's
        /// snapshots and events; `reused` when it had served a request before.
        case acquired(connection: Int, reused: Bool, version: HTTPVersion, stream: NetworkStreamInfo)
        /// The request head went to the stream (HTTP/1.1: written; HTTP/2: HEADERS queued).
        case requestHeadSent
        /// The last byte of the request went to the stream, `bodyBytes` of body with it.
        case requestSent(bodyBytes: Int64)
        /// The final response head arrived (informational ones are not reported).
        case responseHeadReceived(status: Int, version: HTTPVersion)
        /// The first body byte reached the reader.
        case responseFirstBodyByte
        /// Trailers arrived after the body.
        case trailersReceived(count: Int)
        /// The body was read to its end: `bytes` as they came off the wire (before any
        /// content decoding). A final event.
        case responseEnded(bytes: Int64)
        /// The reader let the body go before its end, after `bytes`. A final event.
        case responseAbandoned(bytes: Int64)
        /// The request is sent again, as attempt `attempt` (2 for the first retry): by the
        /// client's retry policy after a `status` it retries or a `failure`, by its auth
        /// flow after a challenge (`status`), or by the pool once over on a stale
        /// connection (a `failure`). The client records it before the attempt's body ends.
        case retry(attempt: Int, status: Int?, failure: HTTPCoreError.Code?)
        /// The client follows a redirect: `status` and the new origin (never a path or a
        /// query: they may carry secrets).
        case redirect(status: Int, to: Origin)
        /// The request failed with `error`. A final event.
        case failed(HTTPCoreError)

        public static func == (lhs: Event, rhs: Event) -> Bool {
            switch (lhs, rhs) {
            case let (.started(a, b), .started(c, d)): a == c && b == d
            case (.queued, .queued), (.requestHeadSent, .requestHeadSent), (.proxyHandshakeEnded, .proxyHandshakeEnded),
                 (.responseFirstBodyByte, .responseFirstBodyByte):
                true
            case let (.connectStarted(a, b), .connectStarted(c, d)): a == c && b == d
            case let (.resolutionStarted(a), .resolutionStarted(b)): a == b
            case let (.resolutionEnded(a), .resolutionEnded(b)): a == b
            case let (.attemptStarted(a), .attemptStarted(b)): a == b
            case let (.attemptEnded(a, b), .attemptEnded(c, d)): a == c && b == d
            case let (.connectEnded(a, b), .connectEnded(c, d)): a == c && b == d
            case let (.proxyHandshakeStarted(a), .proxyHandshakeStarted(b)): a == b
            case let (.tlsStarted(a), .tlsStarted(b)): a == b
            case let (.tlsEnded(a, b, c, d), .tlsEnded(e, f, g, h)): a == e && b == f && c == g && d == h
            case let (.acquired(a, b, c, d), .acquired(e, f, g, h)): a == e && b == f && c == g && d == h
            case let (.requestSent(a), .requestSent(b)): a == b
            case let (.responseHeadReceived(a, b), .responseHeadReceived(c, d)): a == c && b == d
            case let (.trailersReceived(a), .trailersReceived(b)): a == b
            case let (.responseEnded(a), .responseEnded(b)): a == b
            case let (.responseAbandoned(a), .responseAbandoned(b)): a == b
            case let (.retry(a, b, c), .retry(d, e, f)): a == d && b == e && c == f
            case let (.redirect(a, b), .redirect(c, d)): a == c && b == d
            // Errors compare by what a caller branches on: code, category and processing.
            case let (.failed(a), .failed(b)): a.code == b.code && a.category == b.category && a.processing == b.processing
            default: false
            }
        }

        /// Whether nothing more is recorded for the request after this event.
        public var isFinal: Bool {
            switch self {
            case .responseEnded, .responseAbandoned, .failed: true
            default: false
            }
        }
    }

    /// An event and when it happened, on the backend's clock.
    public struct Entry: Sendable, Equatable {
        public var at: HTTPInstant
        public var event: Event

        public init(at: HTTPInstant, event: Event) {
            self.at = at
            self.event = event
        }
    }

    private let sink: @Sendable (Entry) -> Void

    public init(_ record: @escaping @Sendable (Entry) -> Void) {
        sink = record
    }

    public func record(_ event: Event, at instant: HTTPInstant) {
        sink(Entry(at: instant, event: event))
    }

    public func record(_ entry: Entry) {
        sink(entry)
    }

    /// Both traces, `first` hearing each event before `second`; nil when both are.
    public static func combining(_ first: RequestTrace?, _ second: RequestTrace?) -> RequestTrace? {
        guard let first else { return second }
        guard let second else { return first }
        return RequestTrace { entry in
            first.sink(entry)
            second.sink(entry)
        }
    }
}

/// Collects a request's entries in order, for `RequestMetrics` or a test to read.
public final class RequestTraceRecorder: Sendable {
    private let recorded = Locked<[RequestTrace.Entry]>([])

    public init() {}

    public var trace: RequestTrace {
        RequestTrace { [recorded] entry in recorded.withLock { $0.append(entry) } }
    }

    public var entries: [RequestTrace.Entry] { recorded.withLock { $0 } }

    public var events: [RequestTrace.Event] { entries.map(\.event) }

    public var metrics: RequestMetrics { RequestMetrics(entries) }
}
