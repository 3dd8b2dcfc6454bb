internal import COpenSSL
import HTTPCore

// The only file that calls OpenSSL. Everything above sees Swift types: `OpenSSLContext`
// (an SSL_CTX built from a `TLSConfiguration`), `OpenSSLEngine` (one SSL object between two
// memory BIOs) and `OpenSSLSession` (a resumable session).

/// The system's trust roots (OpenSSL's default paths, or `SSL_CERT_FILE` / `SSL_CERT_DIR`
/// as set when first used), parsed once per process and shared by every context that
/// trusts the system alone.
///
/// Parsing Debian's bundle (about 140 certificates) costs tens of milliseconds of CPU.
/// Paid by every `HTTPClient` and pool, it held both cooperative threads of this machine
/// for seconds when the test suite made hundreds of clients at once. An `X509_STORE` is
/// reference counted and locks itself, so sharing one between contexts is supported
/// (`SSL_CTX_set1_cert_store`). Contexts that add their own roots get a store of their own.
final class SystemTrustStore: @unchecked Sendable {
    // @unchecked: `pointer` never changes after init; OpenSSL locks the store internally for
    // the lookups and the certificates its by-hash directory adds during verification.
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) { self.pointer = pointer }

    /// Made on first use, kept for the process's life (never freed: contexts may outlive
    /// any owner but the process).
    static let shared: Result<SystemTrustStore, HTTPCoreError> = {
        guard let store = X509_STORE_new() else {
            return .failure(HTTPCoreError(.tlsInvalidConfiguration, "system trust store: X509_STORE_new failed"))
        }
        ERR_clear_error()
        guard X509_STORE_set_default_paths(store) == 1 else {
            X509_STORE_free(store)
            return .failure(HTTPCoreError(.tlsInvalidConfiguration, "system trust store: \(OpenSSLErrors.drain().reason)"))
        }
        return .success(SystemTrustStore(pointer: store))
    }()
}

/// An `SSL_CTX` configured once from a `TLSConfiguration`.
final class OpenSSLContext: @unchecked Sendable {
    // @unchecked: `pointer` is configured in `init` and never changed afterwards; OpenSSL
    // allows one configured SSL_CTX to create SSL objects on many threads at once. The
    // other stored properties are immutable and Sendable.
    fileprivate let pointer: OpaquePointer
    let role: TLSConfiguration.Role
    let verification: TLSConfiguration.Verification
    let serverNameIndication: TLSConfiguration.ServerNameIndication
    let sessions: TLSSessionCache?
    fileprivate let alpnWire: [UInt8]
    fileprivate let serverProtocols: [[UInt8]]
    fileprivate let keyLog: (@Sendable (String) -> Void)?

    init(_ configuration: TLSConfiguration) throws(HTTPCoreError) {
        let method = configuration.role == .client ? TLS_client_method() : TLS_server_method()
        guard let pointer = SSL_CTX_new(method) else {
            throw OpenSSLContext.configurationError("SSL_CTX_new failed")
        }
        self.pointer = pointer
        role = configuration.role
        verification = configuration.verification
        serverNameIndication = configuration.serverNameIndication
        keyLog = configuration.keyLog
        serverProtocols = configuration.applicationProtocols.map { Array($0.utf8) }
        alpnWire = serverProtocols.flatMap { [UInt8(truncatingIfNeeded: $0.count)] + $0 }
        sessions = configuration.role == .client && configuration.sessionResumption ? TLSSessionCache() : nil
        try configure(configuration)
    }

    deinit { SSL_CTX_free(pointer) }

    private func configure(_ configuration: TLSConfiguration) throws(HTTPCoreError) {
        ERR_clear_error()
        httpcore_ssl_ctx_set_default_options(pointer)
        httpcore_ssl_ctx_set_release_buffers(pointer)
        try check(httpcore_ssl_ctx_set_min_proto_version(pointer, Self.wireVersion(configuration.minimumVersion)), "minimum version")
        if let maximum = configuration.maximumVersion {
            try check(httpcore_ssl_ctx_set_max_proto_version(pointer, Self.wireVersion(maximum)), "maximum version")
        }
        if let list = configuration.cipherList { try check(SSL_CTX_set_cipher_list(pointer, list), "cipher list \(list)") }
        if let suites = configuration.cipherSuites { try check(SSL_CTX_set_ciphersuites(pointer, suites), "cipher suites \(suites)") }
        if let groups = configuration.groups { try check(httpcore_ssl_ctx_set1_groups_list(pointer, groups), "groups \(groups)") }
        try loadTrustRoots(configuration.trustRoots)
        try loadIdentity(chain: configuration.certificateChain, key: configuration.privateKey)
        configureVerification()

        if configuration.role == .client {
            if !alpnWire.isEmpty, SSL_CTX_set_alpn_protos(pointer, alpnWire, UInt32(alpnWire.count)) != 0 {
                throw OpenSSLContext.configurationError("ALPN list \(configuration.applicationProtocols)")
            }
            if sessions != nil {
                httpcore_ssl_ctx_set_client_session_cache(pointer)
                SSL_CTX_sess_set_new_cb(pointer, openSSLNewSession)
            }
        } else {
            if !serverProtocols.isEmpty {
                SSL_CTX_set_alpn_select_cb(pointer, openSSLSelectALPN, Unmanaged.passUnretained(self).toOpaque())
            }
            if !configuration.sessionResumption {
                httpcore_ssl_ctx_disable_server_sessions(pointer)
            }
        }
        if keyLog != nil { SSL_CTX_set_keylog_callback(pointer, openSSLKeyLog) }
    }

    private func loadTrustRoots(_ roots: [TLSConfiguration.TrustRoot]) throws(HTTPCoreError) {
        // The system store alone (every client's default) is shared: see `SystemTrustStore`.
        if roots == [.system] {
            SSL_CTX_set1_cert_store(pointer, try SystemTrustStore.shared.get().pointer)
            return
        }
        for root in roots {
            switch root {
            case .system:
                try check(SSL_CTX_set_default_verify_paths(pointer), "system trust store")
            case .file(let path):
                try check(SSL_CTX_load_verify_locations(pointer, path, nil), "CA file \(path)")
            case .pem(let bytes):
                let certificates = try Self.readCertificates(bytes, what: "CA PEM")
                let store = SSL_CTX_get_cert_store(pointer)
                for certificate in certificates {
                    defer { X509_free(certificate) }
                    try check(X509_STORE_add_cert(store, certificate), "CA PEM certificate")
                }
            }
        }
    }

    private func loadIdentity(
        chain: TLSConfiguration.CertificateSource?,
        key: TLSConfiguration.CertificateSource?
    ) throws(HTTPCoreError) {
        switch (chain, key) {
        case (nil, nil):
            if role == .server { throw OpenSSLContext.configurationError("a server needs a certificate chain and a key") }
            return
        case (nil, _?), (_?, nil):
            throw OpenSSLContext.configurationError("a certificate chain and a private key go together")
        case let (chain?, key?):
            switch chain {
            case .file(let path):
                try check(SSL_CTX_use_certificate_chain_file(pointer, path), "certificate chain file \(path)")
            case .pem(let bytes):
                let certificates = try Self.readCertificates(bytes, what: "certificate chain PEM")
                for (index, certificate) in certificates.enumerated() {
                    defer { X509_free(certificate) }
                    let result = index == 0
                        ? SSL_CTX_use_certificate(pointer, certificate)
                        : httpcore_ssl_ctx_add1_chain_cert(pointer, certificate)
                    try check(result, "certificate chain PEM")
                }
            }
            switch key {
            case .file(let path):
                try check(SSL_CTX_use_PrivateKey_file(pointer, path, SSL_FILETYPE_PEM), "private key file \(path)")
            case .pem(let bytes):
                let bio = bytes.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
                defer { BIO_free(bio) }
                guard let privateKey = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
                    throw OpenSSLContext.configurationError("private key PEM: \(OpenSSLErrors.drain().reason)")
                }
                defer { EVP_PKEY_free(privateKey) }
                try check(SSL_CTX_use_PrivateKey(pointer, privateKey), "private key PEM")
            }
            try check(SSL_CTX_check_private_key(pointer), "the private key does not match the certificate")
        }
    }

    private func configureVerification() {
        let mode: Int32 = switch (role, verification) {
        case (.client, .noneDangerouslyAcceptAnyCertificate): SSL_VERIFY_NONE
        case (.client, _): SSL_VERIFY_PEER
        case (.server, .full): SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        case (.server, .optionalClientCertificate): SSL_VERIFY_PEER
        case (.server, _): SSL_VERIFY_NONE
        }
        SSL_CTX_set_verify(pointer, mode, nil)
    }

    private func check(_ result: Int32, _ what: String) throws(HTTPCoreError) {
        guard result == 1 else {
            throw OpenSSLContext.configurationError("\(what): \(OpenSSLErrors.drain().reason)")
        }
    }

    private static func configurationError(_ detail: String) -> HTTPCoreError {
        HTTPCoreError(.tlsInvalidConfiguration, detail)
    }

    /// Every certificate in `bytes`; at least one, or an error.
    private static func readCertificates(_ bytes: [UInt8], what: String) throws(HTTPCoreError) -> [OpaquePointer] {
        let bio = bytes.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
        defer { BIO_free(bio) }
        var certificates: [OpaquePointer] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) { certificates.append(certificate) }
        ERR_clear_error() // the loop ends on a "no start line" error
        guard !certificates.isEmpty else { throw configurationError("\(what): no certificate found") }
        return certificates
    }

    private static func wireVersion(_ version: TLSConfiguration.TLSVersion) -> Int32 {
        switch version {
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }
}

/// A session to resume on the next connection to the same origin.
final class OpenSSLSession: @unchecked Sendable {
    // @unchecked: the SSL_SESSION is never mutated after creation; OpenSSL reference-counts
    // it atomically, and SSL_set_session only adds a reference.
    fileprivate let pointer: OpaquePointer

    fileprivate init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { SSL_SESSION_free(pointer) }

    /// TLS 1.3 tickets are meant for one use (RFC 8446 §C.4); older sessions can be reused.
    var isSingleUse: Bool { SSL_SESSION_get_protocol_version(pointer) >= TLS1_3_VERSION }
}

/// One SSL object between two memory BIOs: ciphertext goes in with `feed` and comes out
/// with `takeOutput`. Not thread-safe: `TLSStream` calls it only under its lock (or, during
/// the handshake, from the one task that owns it).
final class OpenSSLEngine {
    private let ssl: OpaquePointer
    private let input: OpaquePointer
    private let output: OpaquePointer
    let context: OpenSSLContext
    private let sessionKey: String?

    /// `host` is what the peer's certificate must match (a client's server); nil for servers.
    init(context: OpenSSLContext, host: String?, port: Int?) throws(HTTPCoreError) {
        guard let ssl = SSL_new(context.pointer), let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            throw HTTPCoreError(.tlsInvalidConfiguration, "SSL_new failed: \(OpenSSLErrors.drain().reason)")
        }
        self.ssl = ssl
        self.input = input
        self.output = output
        self.context = context
        SSL_set_bio(ssl, input, output) // the SSL object owns both BIOs now
        if context.role == .server {
            sessionKey = nil
            SSL_set_accept_state(ssl)
        } else {
            sessionKey = host.map { "\($0):\(port ?? 0)" }
            SSL_set_connect_state(ssl)
        }
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
        if let host, context.role == .client { try configureClient(host: host) }
    }

    deinit { SSL_free(ssl) }

    private func configureClient(host: String) throws(HTTPCoreError) {
        let isIPLiteral = IPLiteral.isIPLiteral(host)
        let sni: String? = switch context.serverNameIndication {
        case .automatic: isIPLiteral ? nil : host
        case .name(let name): name
        case .disabled: nil
        }
        if let sni, httpcore_ssl_set_tlsext_host_name(ssl, sni) != 1 {
            throw HTTPCoreError(.tlsInvalidConfiguration, "server name \(sni): \(OpenSSLErrors.drain().reason)")
        }
        if context.verification != .noneDangerouslyAcceptAnyCertificate {
            // Names only from subjectAltName: a certificate with just a Common Name fails.
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            let set = isIPLiteral
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare)
                : SSL_set1_host(ssl, host)
            if set != 1 { throw HTTPCoreError(.tlsInvalidConfiguration, "host \(host): \(OpenSSLErrors.drain().reason)") }
        }
        if let sessionKey, let session = context.sessions?.session(for: sessionKey) {
            SSL_set_session(ssl, session.pointer)
        }
    }

    enum Progress {
        case done
        case wantInput
        case failed(HTTPCoreError)
    }

    /// Runs the handshake as far as the input allows; output may be waiting afterwards.
    func handshake() -> Progress {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        if SSL_get_error(ssl, result) == SSL_ERROR_WANT_READ { return .wantInput }
        return .failed(failure(handshake: true))
    }

    func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = BIO_write(input, raw.baseAddress! + offset, Int32(min(raw.count - offset, Int(Int32.max))))
                guard written > 0 else { return } // a memory BIO only fails when out of memory
                offset += Int(written)
            }
        }
    }

    /// Ciphertext bytes waiting to be sent.
    var pendingOutput: Int { Int(BIO_ctrl_pending(output)) }

    func takeOutput() -> [UInt8] {
        let count = pendingOutput
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = Int(max(0, BIO_read(output, buffer.baseAddress, Int32(count))))
        }
    }

    enum ReadResult {
        case bytes([UInt8])
        case wantInput
        case closeNotify
        case failed(HTTPCoreError)
    }

    /// Decrypts up to `maxBytes` of what has been fed, record after record. The result is
    /// sized by what is buffered (plaintext never exceeds the ciphertext it came from), so
    /// no read buffer outlives the call: an idle connection holds none.
    func read(maxBytes: Int) -> ReadResult {
        let buffered = Int(SSL_pending(ssl)) + Int(BIO_ctrl_pending(input))
        let capacity = max(1, min(maxBytes, buffered))
        var ended: ReadResult?
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var total = 0
            while total < capacity {
                ERR_clear_error()
                var count = 0
                let result = SSL_read_ex(ssl, buffer.baseAddress! + total, capacity - total, &count)
                if result == 1 { total += count; continue }
                switch SSL_get_error(ssl, result) {
                case SSL_ERROR_WANT_READ: ended = .wantInput
                case SSL_ERROR_ZERO_RETURN: ended = .closeNotify
                default: ended = .failed(failure(handshake: false))
                }
                break
            }
            initialized = total
        }
        if !bytes.isEmpty { return .bytes(bytes) } // `ended` comes back on the next call
        return ended ?? .wantInput
    }

    /// Encrypts all of `bytes` into the output BIO (a memory BIO never pushes back).
    func write(_ bytes: ArraySlice<UInt8>) -> HTTPCoreError? {
        guard !bytes.isEmpty else { return nil }
        ERR_clear_error()
        var written = 0
        let result = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
        if result == 1 { return nil }
        return failure(handshake: false)
    }

    /// Queues close_notify (once).
    func shutdown() {
        ERR_clear_error()
        if SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN == 0 { _ = SSL_shutdown(ssl) }
        ERR_clear_error()
    }

    /// A read would return at once without touching the socket: plaintext is decrypted,
    /// or buffered ciphertext holds data, close_notify or an error. Buffered records that
    /// carry nothing for the application (TLS 1.3 session tickets) are processed here and
    /// do not count, so they never make an idle connection look stale.
    var hasReadableInput: Bool {
        if SSL_pending(ssl) > 0 { return true }
        guard BIO_ctrl_pending(input) > 0 else { return false }
        ERR_clear_error()
        var byte: UInt8 = 0
        var count = 0
        let result = SSL_peek_ex(ssl, &byte, 1, &count)
        if result == 1 { return true }
        let wantsMore = SSL_get_error(ssl, result) == SSL_ERROR_WANT_READ
        ERR_clear_error()
        return !wantsMore
    }

    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var version: String { String(cString: SSL_get_version(ssl)) }

    var cipher: String? { SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)).map { String(cString: $0) } }

    var sessionReused: Bool { SSL_session_reused(ssl) == 1 }

    /// The SNI name a client sent (server role).
    var requestedServerName: String? { httpcore_ssl_get_servername(ssl).map { String(cString: $0) } }

    var peerCertificate: PeerCertificate? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return nil }
        let der = [UInt8](unsafeUninitializedCapacity: Int(length)) { buffer, initialized in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            initialized = Int(max(0, i2d_X509(certificate, &cursor)))
        }
        return PeerCertificate(
            der: der,
            subject: Self.rfc2253(X509_get_subject_name(certificate)),
            issuer: Self.rfc2253(X509_get_issuer_name(certificate))
        )
    }

    private static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = httpcore_x509_name_rfc2253(name, &buffer, Int32(buffer.count))
        guard length > 0 else { return "" }
        return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The error for a failed SSL call: a rejected certificate carries the verification
    /// result, anything else OpenSSL's reason.
    private func failure(handshake: Bool) -> HTTPCoreError {
        let errors = OpenSSLErrors.drain()
        let verifyResult = SSL_get_verify_result(ssl)
        if errors.reasonCode == SSL_R_CERTIFICATE_VERIFY_FAILED, verifyResult != X509_V_OK {
            let verification = TLSVerificationFailure(
                code: Int32(truncatingIfNeeded: verifyResult),
                message: String(cString: X509_verify_cert_error_string(verifyResult))
            )
            let failure = TLSFailure(verification: verification, reason: errors.reason, reasonCode: errors.reasonCode)
            return HTTPCoreError(.tlsCertificateRejected, "the peer's certificate was rejected: \(verification.message)", processing: .notProcessed, underlying: failure)
        }
        let failure = TLSFailure(reason: errors.reason, reasonCode: errors.reasonCode)
        if handshake {
            return HTTPCoreError(.tlsHandshakeFailed, "TLS handshake failed: \(errors.reason)", processing: .notProcessed, underlying: failure)
        }
        return HTTPCoreError(.tlsProtocolError, "TLS error: \(errors.reason)", underlying: failure)
    }

    fileprivate static func from(_ ssl: OpaquePointer?) -> OpenSSLEngine? {
        guard let ssl, let raw = SSL_get_ex_data(ssl, 0) else { return nil }
        return Unmanaged<OpenSSLEngine>.fromOpaque(raw).takeUnretainedValue()
    }

    fileprivate func storeSession(_ session: OpaquePointer) -> Bool {
        guard let sessionKey, let sessions = context.sessions else { return false }
        sessions.store(OpenSSLSession(taking: session), for: sessionKey)
        return true
    }
}

/// OpenSSL's thread-local error queue, read right after the failing call on the same thread.
private enum OpenSSLErrors {
    /// Empties the queue and returns its most specific (last) entry.
    static func drain() -> (reason: String, reasonCode: Int32) {
        var last: UInt = 0
        while case let code = ERR_get_error(), code != 0 { last = code }
        guard last != 0 else { return ("no OpenSSL error recorded", 0) }
        let reason = ERR_reason_error_string(last).map { String(cString: $0) } ?? "OpenSSL error \(last)"
        return (reason, httpcore_err_get_reason(last))
    }
}

// Callbacks: OpenSSL calls them synchronously inside SSL_do_handshake/SSL_read, on the
// thread that holds the engine, so the engine found through ex_data is safe to use.

private let openSSLNewSession: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32 = { ssl, session in
    guard let session, let engine = OpenSSLEngine.from(ssl) else { return 0 }
    return engine.storeSession(session) ? 1 : 0 // 1: we keep OpenSSL's reference
}

private let openSSLKeyLog: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void = { ssl, line in
    guard let line, let engine = OpenSSLEngine.from(ssl) else { return }
    engine.context.keyLog?(String(cString: line))
}

/// Server-side ALPN: the first of our protocols the client also offers; with no overlap,
/// the `no_application_protocol` alert RFC 7301 asks for.
private let openSSLSelectALPN: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, offered, offeredLength, argument in
    guard let out, let outLength, let offered, let argument else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let context = Unmanaged<OpenSSLContext>.fromOpaque(argument).takeUnretainedValue()
    let client = UnsafeBufferPointer(start: offered, count: Int(offeredLength))
    for wanted in context.serverProtocols {
        var index = 0
        while index < client.count {
            let length = Int(client[index])
            let start = index + 1
            guard start + length <= client.count else { break }
            if length == wanted.count, client[start..<start + length].elementsEqual(wanted) {
                out.pointee = offered + start
                outLength.pointee = UInt8(length)
                return SSL_TLSEXT_ERR_OK
            }
            index = start + length
        }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL
}

/// One-shot message digests from libcrypto (`EVP_Digest`), for code above that needs a
/// hash without its own C import: HTTP Digest authentication (RFC 7616) in the client.
package enum OpenSSLDigest {
/// Nil when libcrypto cannot compute it (MD5 under a FIPS-only provider configuration).
    package static func md5(_ bytes: [UInt8]) -> [UInt8]? { digest(bytes, EVP_md5()) }

    package static func sha256(_ bytes: [UInt8]) -> [UInt8]? { digest(bytes, EVP_sha256()) }

    package static func sha512_256(_ bytes: [UInt8]) -> [UInt8]? { digest(bytes, EVP_sha512_256()) }

    private static func digest(_ bytes: [UInt8], _ type: OpaquePointer?) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, type, nil)
        }
        guard status == 1 else {
            ERR_clear_error()
            return nil
        }
        return Array(output.prefix(Int(length)))
    }
}
