/// How a `TLSStream` speaks TLS, for either role. Build a `TLSContext` from it once and
/// share the context across connections: loading the system trust store costs milliseconds.
///
/// Secure by default: the system trust store, the peer's certificate verified and its
/// subjectAltName matched against the host (never its Common Name), TLS 1.2 minimum,
/// renegotiation refused, session resumption per origin.
public struct TLSConfiguration: Sendable {
    public enum Role: Sendable, Hashable {
        case client
        case server
    }

    public var role: Role

    /// Certificates the peer's chain must lead to. Any mix of the system store, files and
    /// PEM bytes; an empty list trusts nothing (so every verification fails).
    public var trustRoots: [TrustRoot] = [.system]
    /// Client: verify the server (the default). Server: whether to ask for a client
    /// certificate and require it.
    public var verification: Verification
    public var minimumVersion: TLSVersion = .tls12
    /// Nil allows the newest this OpenSSL offers (TLS 1.3).
    public var maximumVersion: TLSVersion?
    /// Protocols offered (client) or accepted (server), in preference order, such as
    /// `["h2", "http/1.1"]`. The server picks by its own order; a client whose offer shares
    /// nothing with the server's list gets a `no_application_protocol` alert (RFC 7301).
    public var applicationProtocols: [String] = []
    /// Which name the client sends in SNI.
    public var serverNameIndication: ServerNameIndication = .automatic
    /// Our certificate chain (leaf first) and key: a client certificate, or the server's.
    public var certificateChain: CertificateSource?
    public var privateKey: CertificateSource?
    /// OpenSSL cipher list for TLS 1.2 and below (`SSL_CTX_set_cipher_list`), if not the default.
    public var cipherList: String?
    /// TLS 1.3 cipher suites (`SSL_CTX_set_ciphersuites`), if not the default.
    public var cipherSuites: String?
    /// Key-exchange groups in preference order, such as `X25519:P-256`.
    public var groups: String?
    /// Client: resume sessions per origin (host and port). Server: accept resumption.
    public var sessionResumption = true
    /// Called with each line of key material in the NSS key log format that Wireshark
    /// reads (SSLKEYLOGFILE). Anyone holding these lines can decrypt the traffic: debug only.
    /// It runs synchronously inside the handshake, so it must not call back into the stream.
    public var keyLog: (@Sendable (String) -> Void)?
    /// Upper bound for the handshake, on top of any deadline the caller passes.
    public var handshakeTimeout: Duration? = .seconds(10)

    /// A client configuration that verifies servers against `trustRoots`.
    public static func client(
        trustRoots: [TrustRoot] = [.system],
        applicationProtocols: [String] = []
    ) -> TLSConfiguration {
        var configuration = TLSConfiguration(role: .client, verification: .full)
        configuration.trustRoots = trustRoots
        configuration.applicationProtocols = applicationProtocols
        return configuration
    }

    /// A server configuration presenting `certificateChain` (leaf first).
    public static func server(
        certificateChain: CertificateSource,
        privateKey: CertificateSource,
        applicationProtocols: [String] = []
    ) -> TLSConfiguration {
        var configuration = TLSConfiguration(role: .server, verification: .noClientCertificate)
        configuration.certificateChain = certificateChain
        configuration.privateKey = privateKey
        configuration.applicationProtocols = applicationProtocols
        configuration.trustRoots = []
        return configuration
    }

    private init(role: Role, verification: Verification) {
        self.role = role
        self.verification = verification
    }
}

extension TLSConfiguration {
    public enum TLSVersion: Sendable, Hashable, Comparable {
        case tls12
        case tls13
    }

    public enum TrustRoot: Sendable, Hashable {
        /// The operating system's store (Debian: /etc/ssl/certs through OpenSSL's default paths).
        case system
        /// A PEM file with one or more CA certificates.
        case file(String)
        /// PEM text with one or more CA certificates.
        case pem([UInt8])
    }

    /// PEM from a file or from memory.
    public enum CertificateSource: Sendable, Hashable {
        case file(String)
        case pem([UInt8])
    }

    public enum Verification: Sendable, Hashable {
        /// Client: chain to a trusted root, valid now, and a subjectAltName that matches the
        /// host (DNS name or IP address). Server: require a client certificate that chains
        /// to `trustRoots`.
        case full
        /// Server only: ask for a client certificate and verify it if one is sent.
        case optionalClientCertificate
        /// Client: accept any certificate from anyone. Only for tests against throwaway
        /// certificates; it makes TLS worthless against an active attacker.
        case noneDangerouslyAcceptAnyCertificate
        /// Server: do not ask for a client certificate (the server default).
        case noClientCertificate
    }

    public enum ServerNameIndication: Sendable, Hashable {
        /// The host, unless it is an IP literal (RFC 6066 forbids those in SNI).
        case automatic
        /// This name instead of the host (the host is still what the certificate must match).
        case name(String)
        /// No SNI at all.
        case disabled
    }
}
