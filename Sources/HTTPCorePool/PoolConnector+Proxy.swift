import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreTLS
import HTTPTypes

extension PoolConnector {
    /// The route through `proxy` (httpcore's): an http:// origin through an HTTP(S) proxy
    /// is forwarded (absolute-form requests on the proxy connection); anything else gets a
    /// tunnel (CONNECT or SOCKS5) and then negotiates as if connected directly. Only the
    /// proxy ever sees the credentials: they go in CONNECT, the SOCKS5 login or the
    /// forwarded request heads, never inside a tunnel.
    func connect(_ origin: Origin, via proxy: Proxy, tls proxyTLS: TLSContext?, timeout: Duration?, deadline: HTTPInstant?) async throws -> any Connection {
        switch proxy.kind {
        case .http, .https:
            let stream = try await openProxy(proxy, tls: proxyTLS, timeout: timeout, deadline: deadline)
            guard origin.scheme == "https" else {
                var configuration = http1Configuration
                configuration.absoluteFormTarget = true
                if let credentials = proxy.credentials {
                    configuration.additionalFields = [.proxyAuthorization: credentials.basicAuthorization]
                }
                let connection = HTTP1Connection(stream: stream, origin: origin, clock: backend.clock, configuration: configuration)
                return ForwardProxyConnection(connection, proxy: proxy)
            }
            var handshake = HTTPConnectHandshake(host: origin.host, port: origin.port, credentials: proxy.credentials)
            return try await negotiate(over: try await handshake.run(over: stream, deadline: deadline), origin: origin, deadline: deadline)
        case .socks5, .socks5h:
            // Resolved before the proxy connection opens, so a failed lookup leaves nothing open.
            let address = try await socksAddress(origin.host, remoteDNS: proxy.kind == .socks5h, deadline: deadline)
            let stream = try await openProxy(proxy, tls: proxyTLS, timeout: timeout, deadline: deadline)
            var handshake = SOCKS5Handshake(address: address, port: origin.port, credentials: proxy.credentials)
            return try await negotiate(over: try await handshake.run(over: stream, deadline: deadline), origin: origin, deadline: deadline)
        }
    }

    /// TCP (and for an https proxy, TLS) to the proxy. A proxy that cannot be reached is
    /// `.proxyUnreachable`, so it is not taken for the origin being down.
    private func openProxy(_ proxy: Proxy, tls proxyTLS: TLSContext?, timeout: Duration?, deadline: HTTPInstant?) async throws -> any NetworkStream {
        let stream: any NetworkStream
        do {
            stream = try await openTransport(host: proxy.host, port: proxy.port, timeout: timeout)
        } catch let error as HTTPCoreError where error.category == .network(.connect) {
            throw HTTPCoreError(.proxyUnreachable, "cannot reach the proxy \(proxy): \(error.detail)", processing: .notProcessed, underlying: error)
        }
        guard let proxyTLS else { return stream }
        return try await TLSStream.connect(over: stream, host: proxy.host, port: proxy.port, context: proxyTLS, clock: backend.clock, deadline: deadline)
    }

    /// What SOCKS5 is asked to connect to: IP literals as addresses; names as names for
    /// socks5h, resolved here for socks5.
    private func socksAddress(_ host: String, remoteDNS: Bool, deadline: HTTPInstant?) async throws(HTTPCoreError) -> SOCKS5Handshake.Address {
        if remoteDNS, HostResolver.numericAddress(host) == nil { return .domain(host) }
        let address = try await HostResolver.resolve(host, clock: backend.clock, deadline: deadline)
        return address.count == 4 ? .ipv4(address) : .ipv6(address)
    }
}
