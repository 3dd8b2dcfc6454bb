import HTTPCore
import HTTPCorePool
import HTTPCoreTLS

/// The ways a peer can be spoken to, one table row each: the pool is configured so that
/// only this protocol can be negotiated, and every response is checked to have used it.
enum WireProtocol: String, CaseIterable, Sendable {
    case h1
    case h1tls
    case h2
    case h2c

    var label: String {
        switch self {
        case .h1: "HTTP/1.1"
        case .h1tls: "HTTP/1.1 TLS"
        case .h2: "h2 (TLS, ALPN)"
        case .h2c: "h2c (prior knowledge)"
        }
    }

    var isTLS: Bool { self == .h1tls || self == .h2 }

    /// HTTP/1.0 counts as HTTP/1: `openssl s_server -WWW` answers with it.
    func accepts(_ version: HTTPVersion) -> Bool {
        switch self {
        case .h1, .h1tls: version == .http1_1 || version == .http1_0
        case .h2, .h2c: version == .http2
        }
    }

    /// A pool that can only speak this protocol; for TLS it trusts only the harness's CA
    /// and checks the name (`localhost`) as it would any server's.
    func poolConfiguration(caFile: String) -> ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        switch self {
        case .h1, .h1tls: (configuration.http1, configuration.http2) = (true, false)
        case .h2, .h2c: (configuration.http1, configuration.http2) = (false, true)
        }
        configuration.tls = .client(trustRoots: [.file(caFile)])
        configuration.connectTimeout = .seconds(10)
        return configuration
    }
}
