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
}
