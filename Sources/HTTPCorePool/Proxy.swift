public import HTTPCoreTLS

/// A proxy every connection of a pool goes through (`ConnectionPool.Configuration.proxy`).
///
/// Routes, as httpcore takes them: through an HTTP or HTTPS proxy, http:// requests are
/// forwarded in absolute form over HTTP/1.1 and https:// origins get a CONNECT tunnel with
/// TLS to the origin inside (so ALPN can pick HTTP/2); through SOCKS5 every origin gets a
/// tunnel. Credentials go to the proxy only, never into a tunnel.
///
/// `description` names the proxy without its credentials, so it is safe to log.
public struct Proxy: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// An HTTP/1.1 proxy over TCP.
        case http
        /// An HTTP/1.1 proxy over TLS: TLS to the proxy, then (for https://) TLS to the
        /// origin inside it.
        case https
        /// SOCKS5 (RFC 1928) with host names resolved here, by the backend's `resolve`: the
        /// proxy gets an IP address (the first IPv4 one, else the first IPv6 one).
        case socks5
        /// SOCKS5 with host names resolved by the proxy: the name goes to the proxy and no
        /// DNS query leaves this host.
        case socks5h

        /// Port 80 for http, 443 for https, 1080 (IANA's SOCKS port) for SOCKS5.
        public var defaultPort: Int {
            switch self {
            case .http: 80
            case .https: 443
            case .socks5, .socks5h: 1080
            }
        }
    }

    public var kind: Kind
    /// A name or an IP literal (IPv6 without brackets).
    public var host: String
    public var port: Int
    public var credentials: Credentials?
    /// How to verify an `https` proxy. Nil: the pool's `tls` (its trust roots and
    /// verification). Either way ALPN offers only `http/1.1` to the proxy.
    public var tls: TLSConfiguration?

    public init(_ kind: Kind, host: String, port: Int? = nil, credentials: Credentials? = nil, tls: TLSConfiguration? = nil) {
        self.kind = kind
        self.host = host
        self.port = port ?? kind.defaultPort
        self.credentials = credentials
        self.tls = tls
    }

    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(kind.rawValue)://\(hostPart):\(port)" + (credentials == nil ? "" : " (with credentials)")
    }
}
