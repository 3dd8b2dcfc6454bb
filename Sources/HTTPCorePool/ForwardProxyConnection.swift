import HTTPCore
import HTTPCoreHTTP1
import HTTPTypes

/// An HTTP/1.1 connection to a forward proxy that carries the requests for one http://
/// origin (the pool keys it by that origin). The inner connection writes absolute-form
/// targets and `Proxy-Authorization`; this wrapper turns the proxy's 407 into
/// `.proxyAuthenticationRequired`, so it is never taken for the origin's answer. Any other
/// status is returned as is: a proxy's 502 cannot be told from the origin's.
final class ForwardProxyConnection: Connection {
    private let inner: HTTP1Connection
    private let proxy: String

    init(_ inner: HTTP1Connection, proxy: Proxy) {
        self.inner = inner
        self.proxy = proxy.description
    }

    var origin: Origin { inner.origin }
    func canHandle(_ origin: Origin) -> Bool { inner.canHandle(origin) }
    var isAvailable: Bool { inner.isAvailable }
    var isIdle: Bool { inner.isIdle }
    func hasExpired(now: HTTPInstant) -> Bool { inner.hasExpired(now: now) }
    var isClosed: Bool { inner.isClosed }
    var streamInfo: NetworkStreamInfo { inner.streamInfo }
    var acceptsNewRequests: Bool { inner.acceptsNewRequests }
    var version: HTTPVersion { inner.version }
    var requestLimit: Int? { inner.requestLimit }
    func observe(_ observer: @escaping @Sendable (ConnectionChange) -> Void) { inner.observe(observer) }
    var preferredTaskExecutor: (any TaskExecutor)? { inner.preferredTaskExecutor }
    func close() async { await inner.close() }
    var description: String { inner.description }

    func send(_ request: Request) async throws -> Response {
        let response = try await inner.send(request)
        guard response.head.status.code == 407 else { return response }
        // The body is the proxy's, not the origin's: drop it, which closes the connection.
        response.body.takeSource().release()
        throw HTTPCoreError(
            .proxyAuthenticationRequired,
            "the proxy \(proxy) answered 407 \(response.head.status.reasonPhrase) to the request for \(origin)",
            processing: .notProcessed,
            underlying: ProxyRefusal.httpStatus(407)
        )
    }
}
