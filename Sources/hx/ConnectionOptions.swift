import ArgumentParser
import HXCore

/// `--http1.1`, `--http2`, `--h2c`: at most one.
enum ProtocolFlag: String, EnumerableFlag {
    case http1_1, http2, h2c

    static func name(for value: ProtocolFlag) -> NameSpecification {
        switch value {
        case .http1_1: .customLong("http1.1")
        case .http2: .customLong("http2")
        case .h2c: .customLong("h2c")
        }
    }

    static func help(for value: ProtocolFlag) -> ArgumentHelp? {
        switch value {
        case .http1_1: "HTTP/1.1 only."
        case .http2: "HTTP/2 only, by ALPN over https:// (default: h2 or http/1.1 by ALPN; http:// uses HTTP/1.1)."
        case .h2c: "HTTP/2 over http:// by prior knowledge (no Upgrade)."
        }
    }

    var mode: ProtocolMode {
        switch self {
        case .http1_1: .http1
        case .http2: .http2
        case .h2c: .h2c
        }
    }
}

/// How to connect: shared by `hx` and `hx bench`.
struct ConnectionOptions: ParsableArguments {
    @Flag var protocolFlag: ProtocolFlag?

    @Option(name: .customLong("cacert"), help: ArgumentHelp("Trust only the CA certificates in this PEM file.", valueName: "file"))
    var caCertificate: String?

    @Option(name: .customLong("cert"), help: ArgumentHelp("Client certificate (PEM; may hold the key too).", valueName: "file"))
    var clientCertificate: String?

    @Option(name: .customLong("key"), help: ArgumentHelp("Private key for --cert (PEM).", valueName: "file"))
    var clientKey: String?

    @Flag(name: [.customShort("k"), .customLong("insecure")], help: "Accept any server certificate (tests only).")
    var insecure = false

    @Option(help: ArgumentHelp("Proxy URL: http://, https://, socks5:// or socks5h://, with user:password@ if it needs them.", valueName: "url"))
    var proxy: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Limit for DNS, TCP connect and TLS handshake (default 10).", valueName: "seconds"))
    var connectTimeout: Double?

    @Option(help: "Network backend.")
    var backend: BackendChoice = .libuv

    /// The checked settings for `url`.
    func settings(for url: TargetURL) throws(HXFailure) -> ConnectionSettings {
        var settings = ConnectionSettings()
        settings.mode = protocolFlag?.mode ?? .auto
        settings.caCertificate = caCertificate
        settings.clientCertificate = clientCertificate
        settings.clientKey = clientKey
        settings.insecure = insecure
        settings.proxy = proxy
        settings.connectTimeout = try connectTimeout.map { seconds throws(HXFailure) in
            try ConnectionSettings.duration(seconds: seconds, option: "--connect-timeout")
        }
        try settings.check(for: url)
        return settings
    }
}
