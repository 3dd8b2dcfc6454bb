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
    func connect(_ origin: Origin, via proxy: Proxy, tls proxyTLS: TLSContext?, timeout: Duration?, deadline: HTTPInstant?, trace: RequestTrace?) async throws -> any Connection {
        switch proxy.kind {
        case .http, .https:
            let stream = try await openProxy(proxy, tls: proxyTLS, timeout: timeout, deadline: deadline, trace: trace)
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
            let tunnel = try await traced("CONNECT", trace) { try await handshake.run(over: stream, deadline: deadline) }
            return try await negotiate(over: tunnel, origin: origin, deadline: deadline, trace: trace)
        case .socks5, .socks5h:
            // Resolved before the proxy connection opens, so a failed lookup leaves nothing open.
            let address = try await socksAddress(origin.host, port: origin.port, remoteDNS: proxy.kind == .socks5h, deadline: deadline)
            let stream = try await openProxy(proxy, tls: proxyTLS, timeout: timeout, deadline: deadline, trace: trace)
            var handshake = SOCKS5Handshake(address: address, port: origin.port, credentials: proxy.credentials)
            let tunnel = try await traced("SOCKS5", trace) { try await handshake.run(over: stream, deadline: deadline) }
            return try await negotiate(over: tunnel, origin: origin, deadline: deadline, trace: trace)
        }
    }

    /// TCP (and for an https proxy, TLS) to the proxy. A proxy that cannot be reached is
    /// `.proxyUnreachable`, so it is not taken for the origin being down.
    private func openProxy(_ proxy: Proxy, tls proxyTLS: TLSContext?, timeout: Duration?, deadline: HTTPInstant?, trace: RequestTrace?) async throws -> any NetworkStream {
        let stream: any NetworkStream
        do {
            stream = try await openTransport(host: proxy.host, port: proxy.port, timeout: timeout, trace: trace)
        } catch let error as HTTPCoreError where error.category == .network(.connect) {
            throw HTTPCoreError(.proxyUnreachable, "cannot reach the proxy \(proxy): \(error.detail)", processing: .notProcessed, underlying: error)
        }
        guard let proxyTLS else { return stream }
        return try await secure(stream, host: proxy.host, port: proxy.port, context: proxyTLS, deadline: deadline, trace: trace)
    }

    /// Runs a proxy handshake between `.proxyHandshakeStarted` and `.proxyHandshakeEnded`.
    private func traced<T>(_ kind: String, _ trace: RequestTrace?, _ handshake: () async throws -> T) async throws -> T {
        trace?.record(.proxyHandshakeStarted(kind: kind), at: backend.clock.now)
        let result = try await handshake()
        trace?.record(.proxyHandshakeEnded, at: backend.clock.now)
        return result
    }

    /// What SOCKS5 is asked to connect to: IP literals as addresses; names as names for
    /// socks5h, resolved here by the backend for socks5. The proxy makes one connect, so
    /// there is no Happy Eyeballs to feed: the first IPv4 address, else the first IPv6.
    private func socksAddress(_ host: String, port: Int, remoteDNS: Bool, deadline: HTTPInstant?) async throws(HTTPCoreError) -> SOCKS5Handshake.Address {
        if let literal = IPAddressLiteral(host) { return SOCKS5Handshake.Address(literal) }
        if remoteDNS { return .domain(host) }
        let addresses = try await resolve(host, port: port, deadline: deadline)
        guard let chosen = addresses.first(where: { !$0.isIPv6 }) ?? addresses.first, let literal = IPAddressLiteral(chosen.ip) else {
            throw HTTPCoreError(.hostNotFound, "\(host) resolved to no usable address for the SOCKS5 proxy", processing: .notProcessed)
        }
        return SOCKS5Handshake.Address(literal)
    }

    /// `host`'s addresses from the backend (which looks names up on its own threads), given
    /// up at `deadline` (`.connectTimeout`) or on cancellation (`.cancelled`); a lookup still
    /// running then finishes unobserved. Nothing is open yet, so every failure is
    /// `.notProcessed`.
    private func resolve(_ host: String, port: Int, deadline: HTTPInstant?) async throws(HTTPCoreError) -> [ResolvedAddress] {
        let (backend, clock) = (backend, backend.clock)
        do {
            return try await withThrowingTaskGroup(of: [ResolvedAddress].self) { group in
                group.addTask { try await backend.resolve(host: host, port: port) }
                if let deadline {
                    group.addTask {
                        try await clock.sleep(until: deadline)
                        throw HTTPCoreError(.connectTimeout, "resolving \(host) for the SOCKS5 proxy did not finish in time", processing: .notProcessed)
                    }
                }
                defer { group.cancelAll() }
                guard let addresses = try await group.next() else { preconditionFailure("the lookup task is in the group") }
                return addresses
            }
        } catch {
            throw HTTPCoreError.from(error, default: .hostNotFound).with(processing: .notProcessed)
        }
    }
}
