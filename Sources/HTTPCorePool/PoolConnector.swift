import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreHTTP2
import HTTPCoreTLS

/// Opens a connection the way httpcore does: TCP (or a Unix socket) through the backend,
/// or a route through the configured proxy (`PoolConnector+Proxy.swift`), TLS for https,
/// then HTTP/2 if ALPN says `h2` (or by prior knowledge for http:// when only `http2` is
/// on), else HTTP/1.1. Failed attempts are retried with backoff.
struct PoolConnector: Sendable {
    let backend: any NetworkBackend
    private(set) var configuration: ConnectionPool.Configuration
    let tls: TLSContext
    /// TLS to each https proxy: the proxy's own configuration or the pool's, offering only
    /// HTTP/1.1 (the proxy speaks HTTP/1.1 whatever the origin does).
    let proxyTLS: [ProxyRoutes.Slot: TLSContext]

    init(backend: any NetworkBackend, configuration: ConnectionPool.Configuration) throws(HTTPCoreError) {
        self.backend = backend
        self.configuration = configuration
        var tls = configuration.tls ?? .client()
        tls.applicationProtocols = configuration.applicationProtocols
        self.tls = try TLSContext(tls)
        var proxyTLS: [ProxyRoutes.Slot: TLSContext] = [:]
        for slot in ProxyRoutes.Slot.allCases {
            guard let proxy = configuration.routedProxy(in: slot), proxy.kind == .https else { continue }
            var tls = proxy.tls ?? configuration.tls ?? .client()
            tls.applicationProtocols = ["http/1.1"]
            proxyTLS[slot] = try TLSContext(tls)
        }
        self.proxyTLS = proxyTLS
    }

    /// Opens a connection to `origin`, telling `trace` (the connection's setup record,
    /// which the pool hands to the request that gets it) each phase as it happens.
    /// `connection` is the pool's id for it, which the frame observer hears with each frame.
    func connect(_ origin: Origin, timeout: Duration?, trace: RequestTrace? = nil, connection: Int = 0) async throws -> any Connection {
        var connector = self
        if let observe = configuration.frameObserver {
            connector.configuration.http2Connection.frameObserver = { observe(connection, $0) }
        }
        var attempt = 0
        while true {
            do {
                return try await connector.connectOnce(origin, timeout: timeout, trace: trace)
            } catch let error as HTTPCoreError where attempt < configuration.retries && Self.isRetryable(error) {
                let backoff = Duration.milliseconds(500) * (1 << min(attempt, 10))
                try await backend.clock.sleep(until: backend.clock.now + backoff)
                attempt += 1
            }
        }
    }

    private static func isRetryable(_ error: HTTPCoreError) -> Bool {
        error.category == .network(.connect) || error.code == .connectTimeout || error.code == .proxyUnreachable
    }

    /// One attempt; `timeout` bounds all of it (connect, proxy handshake, TLS).
    private func connectOnce(_ origin: Origin, timeout: Duration?, trace: RequestTrace?) async throws -> any Connection {
        let deadline = backend.clock.deadline(after: timeout, capping: nil)
        if let slot = configuration.proxySlot(for: origin), let proxy = configuration.routedProxy(in: slot) {
            return try await connect(origin, via: proxy, tls: proxyTLS[slot], timeout: timeout, deadline: deadline, trace: trace)
        }
        let stream = try await openTransport(host: origin.host, port: origin.port, timeout: timeout, trace: trace)
        return try await negotiate(over: stream, origin: origin, deadline: deadline, trace: trace)
    }

    /// TCP to `host`, or the configured Unix socket.
    func openTransport(host: String, port: Int, timeout: Duration?, trace: RequestTrace?) async throws -> any NetworkStream {
        let clock = backend.clock
        let options = ConnectOptions(timeout: timeout, localAddress: configuration.localAddress, socketOptions: configuration.socketOptions, trace: trace)
        let stream: any NetworkStream
        if let path = configuration.unixSocketPath {
            trace?.record(.connectStarted(host: path, port: 0), at: clock.now)
            stream = try await backend.connectUnixSocket(path: path, options: options)
        } else {
            trace?.record(.connectStarted(host: host, port: port), at: clock.now)
            stream = try await backend.connectTCP(host: host, port: port, options: options)
        }
        trace?.record(.connectEnded(local: stream.info.localAddress, remote: stream.info.remoteAddress), at: clock.now)
        return stream
    }

    /// TLS over `stream`, reported to `trace` (start, then version, cipher, ALPN and
    /// whether the session was resumed).
    func secure(_ stream: any NetworkStream, host: String, port: Int, context: TLSContext, deadline: HTTPInstant?, trace: RequestTrace?) async throws -> TLSStream {
        let clock = backend.clock
        trace?.record(.tlsStarted(serverName: host), at: clock.now)
        let secured = try await TLSStream.connect(over: stream, host: host, port: port, context: context, clock: clock, deadline: deadline)
        let info = secured.info
        trace?.record(.tlsEnded(version: info.tlsVersion, cipher: info.tlsCipher, alpn: info.alpn, resumed: secured.sessionReused), at: clock.now)
        return secured
    }

    /// Over a stream that reaches `origin` (a socket or a tunnel): TLS for https, then the
    /// protocol ALPN (or the configuration) picks.
    func negotiate(over stream: any NetworkStream, origin: Origin, deadline: HTTPInstant?, trace: RequestTrace?) async throws -> any Connection {
        let clock = backend.clock
        guard origin.scheme == "https" else {
            if configuration.http2, !configuration.http1 {
                return try await HTTP2Connection.start(over: stream, origin: origin, clock: clock, configuration: configuration.http2Connection)
            }
            return HTTP1Connection(stream: stream, origin: origin, clock: clock, configuration: http1Configuration)
        }
        let secured = try await secure(stream, host: origin.host, port: origin.port, context: tls, deadline: deadline, trace: trace)
        if secured.info.alpn == "h2" || (secured.info.alpn == nil && !configuration.http1) {
            return try await HTTP2Connection.start(over: secured, origin: origin, clock: clock, configuration: configuration.http2Connection)
        }
        return HTTP1Connection(stream: secured, origin: origin, clock: clock, configuration: http1Configuration)
    }

    var http1Configuration: HTTP1Connection.Configuration {
        HTTP1Connection.Configuration(keepAliveExpiry: configuration.keepaliveExpiry)
    }
}
