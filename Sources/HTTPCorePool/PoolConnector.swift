import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreHTTP2
import HTTPCoreTLS

/// Opens a connection the way httpcore does: TCP (or a Unix socket) through the backend,
/// TLS for https, then HTTP/2 if ALPN says `h2` (or by prior knowledge for http:// when
/// only `http2` is on), else HTTP/1.1. Failed attempts are retried with backoff.
struct PoolConnector: Sendable {
    let backend: any NetworkBackend
    let configuration: ConnectionPool.Configuration
    let tls: TLSContext

    init(backend: any NetworkBackend, configuration: ConnectionPool.Configuration) throws(HTTPCoreError) {
        self.backend = backend
        self.configuration = configuration
        var tls = configuration.tls ?? .client()
        tls.applicationProtocols = configuration.applicationProtocols
        self.tls = try TLSContext(tls)
    }

    func connect(_ origin: Origin, timeout: Duration?) async throws -> any Connection {
        var attempt = 0
        while true {
            do {
                return try await connectOnce(origin, timeout: timeout)
            } catch let error as HTTPCoreError where attempt < configuration.retries && Self.isRetryable(error) {
                let backoff = Duration.milliseconds(500) * (1 << min(attempt, 10))
                try await backend.clock.sleep(until: backend.clock.now + backoff)
                attempt += 1
            }
        }
    }

    private static func isRetryable(_ error: HTTPCoreError) -> Bool {
        error.category == .network(.connect) || error.code == .connectTimeout
    }

    private func connectOnce(_ origin: Origin, timeout: Duration?) async throws -> any Connection {
        let clock = backend.clock
        let options = ConnectOptions(timeout: timeout, localAddress: configuration.localAddress, socketOptions: configuration.socketOptions)
        let tcp = if let path = configuration.unixSocketPath {
            try await backend.connectUnixSocket(path: path, options: options)
        } else {
            try await backend.connectTCP(host: origin.host, port: origin.port, options: options)
        }
        guard origin.scheme == "https" else {
            if configuration.http2, !configuration.http1 {
                return try await HTTP2Connection.start(over: tcp, origin: origin, clock: clock, configuration: configuration.http2Connection)
            }
            return HTTP1Connection(stream: tcp, origin: origin, clock: clock, configuration: http1Configuration)
        }
        let secured = try await TLSStream.connect(
            over: tcp, host: origin.host, port: origin.port, context: tls, clock: clock,
            deadline: clock.deadline(after: timeout, capping: nil)
        )
        if secured.info.alpn == "h2" || (secured.info.alpn == nil && !configuration.http1) {
            return try await HTTP2Connection.start(over: secured, origin: origin, clock: clock, configuration: configuration.http2Connection)
        }
        return HTTP1Connection(stream: secured, origin: origin, clock: clock, configuration: http1Configuration)
    }

    private var http1Configuration: HTTP1Connection.Configuration {
        HTTP1Connection.Configuration(keepAliveExpiry: configuration.keepaliveExpiry)
    }
}
