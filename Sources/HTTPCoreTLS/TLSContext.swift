public import HTTPCore

/// A `TLSConfiguration` loaded into OpenSSL: certificates parsed, trust store read. Build
/// one per configuration and share it; every `TLSStream` made from it shares the client
/// session cache too.
public final class TLSContext: Sendable {
    public let configuration: TLSConfiguration
    let openSSL: OpenSSLContext

    /// Throws `.tlsInvalidConfiguration` when OpenSSL refuses part of the configuration.
    public init(_ configuration: TLSConfiguration) throws(HTTPCoreError) {
        self.configuration = configuration
        openSSL = try OpenSSLContext(configuration)
    }

    /// Sessions held for resumption (client contexts).
    public var cachedSessionCount: Int { openSSL.sessions?.count ?? 0 }
}
