/// What went wrong in TLS, as the `underlying` error of an `HTTPCoreError` in category
/// `.tls` (or `.timeout(.connect)` for a handshake that ran out of time).
///
///     catch let error as HTTPCoreError where error.code == .tlsCertificateRejected {
///         let failure = error.underlying as? TLSFailure
///         if failure?.verification == .hostnameMismatch { ... }
///     }
public struct TLSFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the peer's certificate was rejected, when that is the failure.
    public var verification: TLSVerificationFailure?
    /// OpenSSL's reason, such as `tlsv1 alert protocol version` or `certificate verify failed`.
    public var reason: String
    /// OpenSSL's numeric reason code (`ERR_GET_REASON`), 0 when none.
    public var reasonCode: Int32

    public init(verification: TLSVerificationFailure? = nil, reason: String, reasonCode: Int32 = 0) {
        self.verification = verification
        self.reason = reason
        self.reasonCode = reasonCode
    }

    public var description: String {
        if let verification { return "\(reason): \(verification)" }
        return reason
    }
}

/// The X.509 verification result OpenSSL reported (`X509_V_ERR_*`). Compare with the
/// static members; `code` keeps the raw value for results without a name here.
public struct TLSVerificationFailure: Sendable, Hashable, CustomStringConvertible {
    public let code: Int32
    /// OpenSSL's text for the code (`X509_verify_cert_error_string`).
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) (X509_V_ERR \(code))" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public static let unknownIssuer = named(20, "unable to get local issuer certificate")
    public static let unknownIssuerInChain = named(2, "unable to get issuer certificate")
    public static let notYetValid = named(9, "certificate is not yet valid")
    public static let expired = named(10, "certificate has expired")
    public static let selfSigned = named(18, "self-signed certificate")
    public static let selfSignedInChain = named(19, "self-signed certificate in certificate chain")
    public static let unableToVerifyLeafSignature = named(21, "unable to verify the first certificate")
    public static let invalidCA = named(79, "invalid CA certificate")
    public static let invalidPurpose = named(26, "unsupported certificate purpose")
    public static let revoked = named(23, "certificate revoked")
    public static let hostnameMismatch = named(62, "hostname mismatch")
    public static let ipAddressMismatch = named(64, "IP address mismatch")

    private static func named(_ code: Int32, _ message: String) -> TLSVerificationFailure {
        TLSVerificationFailure(code: code, message: message)
    }
}
