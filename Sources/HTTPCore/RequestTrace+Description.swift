extension RequestTrace.Event: CustomStringConvertible {
    /// One line per event, for `hx --trace` and logs: names and figures only, never a
    /// field value, a credential or a body byte.
    public var description: String {
        switch self {
        case .started(let method, let origin): "started \(method.rawValue) \(origin)"
        case .queued: "queued for a connection"
        case .connectStarted(let host, let port): port == 0 ? "connect started (unix \(host))" : "connect started \(host):\(port)"
        case .resolutionStarted(let host): "resolving \(host)"
        case .resolutionEnded(let addresses): "resolved to \(addresses.map(\.description).joined(separator: ", "))"
        case .attemptStarted(let address): "attempt \(address) started"
        case .attemptEnded(let address, nil): "attempt \(address) connected"
        case .attemptEnded(let address, let failure?): "attempt \(address) failed: \(failure)"
        case .connectEnded(let local, let remote):
            "connected to \(remote.map { "\($0)" } ?? "?") from \(local.map { "\($0)" } ?? "?")"
        case .proxyHandshakeStarted(let kind): "proxy \(kind) handshake started"
        case .proxyHandshakeEnded: "proxy handshake done"
        case .tlsStarted(let serverName): "TLS handshake started (SNI \(serverName))"
        case .tlsEnded(let version, let cipher, let alpn, let resumed):
            "TLS \(version ?? "?"), cipher \(cipher ?? "?"), ALPN \(alpn ?? "none")\(resumed ? ", resumed" : "")"
        case .acquired(let connection, let reused, let version, _):
            "connection #\(connection) acquired (\(reused ? "reused" : "new"), \(version))"
        case .requestHeadSent: "request head sent"
        case .requestSent(let bytes): "request sent (\(bytes) body bytes)"
        case .responseHeadReceived(let status, let version): "response head received: \(version) \(status)"
        case .responseFirstBodyByte: "first body byte"
        case .trailersReceived(let count): "trailers received (\(count) fields)"
        case .responseEnded(let bytes): "response ended (\(bytes) body bytes)"
        case .responseAbandoned(let bytes): "response let go after \(bytes) body bytes"
        case .retry(let attempt, let status, let failure):
            "retry, attempt \(attempt) after \(status.map { "status \($0)" } ?? failure.map { "\($0)" } ?? "?")"
        case .redirect(let status, let origin): "redirect \(status) to \(origin)"
        case .failed(let error): "failed: \(error.category) \(error.code)"
        }
    }
}
