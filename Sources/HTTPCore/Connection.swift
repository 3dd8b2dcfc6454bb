/// Anything that takes a request and returns a response whose body streams.
///
/// `HTTP1Connection`, `HTTP2Connection`, the negotiating connection, proxies and the pool
/// all conform, so any of them can be the top of a test or wrapped by the layer above.
public protocol RequestInterface: Sendable {
    /// Sends `request` and returns as soon as the response head arrives. The body is read
    /// from `Response.body`; reading it to the end (or dropping it) frees the connection.
    func send(_ request: Request) async throws -> Response
}

/// One connection to one origin, as the pool sees it: through predicates only.
///
/// An HTTP/1.1 connection carries one request at a time; an HTTP/2 connection stays
/// `isAvailable` while it has stream slots, so the pool assigns many requests to it.
/// The predicates are synchronous and cheap: the pool reads them under its lock.
/// Everything the pool needs is here, so it never downcasts to a concrete connection.
public protocol Connection: RequestInterface, AnyObject, CustomStringConvertible {
    var origin: Origin { get }
    func canHandle(_ origin: Origin) -> Bool
    /// Can take another request now.
    var isAvailable: Bool { get }
    /// Open with no request in flight.
    var isIdle: Bool { get }
    /// Idle longer than the keep-alive expiry, or found closed by the peer while idle.
    func hasExpired(now: HTTPInstant) -> Bool
    var isClosed: Bool { get }
    func close() async
    /// What the stream under the connection knows: addresses and, over TLS, the version,
    /// cipher, ALPN result and peer certificate.
    var streamInfo: NetworkStreamInfo { get }

    /// Will take new requests from now on, perhaps after the ones in flight (HTTP/1.1:
    /// open; HTTP/2: open and not draining after GOAWAY). False once closed. The pool
    /// checks it when it leases a connection and when a request hands one back, so a
    /// connection that went away meanwhile is retired instead of given a request it would
    /// refuse.
    var acceptsNewRequests: Bool { get }
    /// The protocol spoken. The pool plans differently for a multiplexed connection (it
    /// keeps one that is busy, and does not open more for an origin while it has room),
    /// and reports the protocol in its snapshot and events.
    var version: HTTPVersion { get }
    /// How many requests it takes at once (HTTP/1.1: 1; HTTP/2: the peer's
    /// SETTINGS_MAX_CONCURRENT_STREAMS), nil until the peer has said. The pool assigns up
    /// to it and opens another connection beyond it; while it is nil the pool assigns one
    /// request, rather than pile requests on a guess.
    var requestLimit: Int? { get }
    /// Calls `observer` when `requestLimit` or `acceptsNewRequests` changes, in order,
    /// perhaps at once with the current state (a change between the pool reading
    /// `requestLimit` and this call is not lost). One observer per connection: a later
    /// call replaces it. The pool plans from these values, so without the report it would
    /// keep requests queued after a raised limit, or assign them to a draining connection.
    /// The observer may run under the connection's locks: it must not call back into it.
    ///
    /// Default (for connections of your own): reports nothing, which is right for a
    /// connection whose limit never changes and that only stops accepting by closing
    /// (the pool finds that through `acceptsNewRequests`).
    func observe(_ observer: @escaping @Sendable (ConnectionChange) -> Void)
    /// The executor the connection's I/O runs on (a backend's event loop), or nil. Work
    /// for a request on this connection (the pool's, the client's, a benchmark's) can take
    /// it as its task-executor preference and then never hops off the loop thread.
    ///
    /// Default (for connections of your own): nil, no preference.
    var preferredTaskExecutor: (any TaskExecutor)? { get }
}

extension Connection {
    public func observe(_ observer: @escaping @Sendable (ConnectionChange) -> Void) {}

    public var preferredTaskExecutor: (any TaskExecutor)? { nil }
}
