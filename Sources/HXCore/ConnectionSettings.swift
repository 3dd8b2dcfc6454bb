public import HTTPCore
public import HTTPCoreClient
public import HTTPCorePool
import HTTPCoreTLS

/// Which HTTP versions hx may use.
public enum ProtocolMode: String, Sendable, CaseIterable {
    /// https: h2 or http/1.1 by ALPN; http: HTTP/1.1.
    case auto
    /// `--http1.1`: HTTP/1.1 only.
    case http1
    /// `--http2`: HTTP/2 only, negotiated by ALPN over TLS.
    case http2
    /// `--h2c`: HTTP/2 only; over http:// by prior knowledge.
    case h2c
}

/// How hx connects: protocol, TLS, proxy and the connect timeout, turned into the pool's
/// configuration.
public struct ConnectionSettings: Sendable {
    public var mode: ProtocolMode = .auto
    public var caCertificate: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var insecure = false
    public var connectTimeout: Duration?
    /// `--proxy`: http, https, socks5 or socks5h URL (read by `Proxy(url:)` in `check`).
    public var proxy: String?

    public init() {}

    /// Checks the combination for `url` and the files it names.
    public func check(for url: TargetURL) throws(HXFailure) {
        if mode == .http2, !url.isHTTPS {
            throw HXFailure(.usage, "--http2 negotiates HTTP/2 by ALPN over https://; for cleartext HTTP/2 by prior knowledge use --h2c")
        }
        if clientKey != nil, clientCertificate == nil { throw HXFailure(.usage, "--key needs --cert") }
        if let proxy {
            do { _ = try Proxy(url: proxy) } catch { throw HXFailure(.usage, "--proxy: \(error.detail)") }
        }
        for path in [caCertificate, clientCertificate, clientKey].compactMap({ $0 }) {
            _ = try StandardIO.regularFileSize(path)
        }
    }

    public func poolConfiguration() -> ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        switch mode {
        case .auto: (configuration.http1, configuration.http2) = (true, true)
        case .http1: (configuration.http1, configuration.http2) = (true, false)
        case .http2, .h2c: (configuration.http1, configuration.http2) = (false, true)
        }
        configuration.connectTimeout = connectTimeout ?? configuration.connectTimeout
        // Checked in `check`: a URL that does not read is a usage error before this.
        configuration.proxy = proxy.flatMap { try? Proxy(url: $0) }
        if caCertificate != nil || clientCertificate != nil || insecure {
            var tls = TLSConfiguration.client(trustRoots: caCertificate.map { [.file($0)] } ?? [.system])
            if insecure { tls.verification = .noneDangerouslyAcceptAnyCertificate }
            if let clientCertificate {
                tls.certificateChain = .file(clientCertificate)
                // A PEM holding both the certificate and its key needs no --key (as in curl).
                tls.privateKey = .file(clientKey ?? clientCertificate)
            }
            configuration.tls = tls
        }
        return configuration
    }

    /// The client hx's request mode runs on: the pool's settings above, hx's own fields
    /// only (none of the client's defaults), and curl's timeouts rather than httpx's (10 s
    /// to connect, 30 s per read or write, no pool timeout), with `total` as `--timeout`.
    public func clientConfiguration(backend: any NetworkBackend, total: Duration?) -> HTTPClient.Configuration {
        let pool = poolConfiguration()
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.pool = pool
        configuration.http1 = pool.http1
        configuration.http2 = pool.http2
        configuration.tls = pool.tls
        configuration.proxy = pool.proxy
        configuration.headers = []
        // As curl: redirects are returned unless -L asks to follow them.
        configuration.redirects = .off
        // As curl: bodies as they arrive unless --compressed asks for decoding.
        configuration.decoding = nil
        configuration.timeouts = Timeouts(connect: pool.connectTimeout, read: .seconds(30), write: .seconds(30), pool: nil, total: total)
        return configuration
    }

    /// Seconds from the command line as a duration; a usage failure unless positive.
    public static func duration(seconds: Double, option: String) throws(HXFailure) -> Duration {
        guard seconds.isFinite, seconds > 0, seconds < 1e9 else {
            throw HXFailure(.usage, "\(option) needs a positive number of seconds, not \(seconds)")
        }
        return .nanoseconds(Int64(seconds * 1e9))
    }
}
