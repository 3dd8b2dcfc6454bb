/// The one error type every layer throws.
///
/// Callers branch on `category` (timeout, network, protocol, ...) and, for retries, on
/// `isSafeToRetry`; `code` names the precise condition and `detail` says it in words.
/// The struct wraps a private enum so new codes can be added without breaking anyone.
public struct HTTPCoreError: Error, Sendable, CustomStringConvertible {
    public let code: Code
    /// Human-readable specifics: which field, which limit, which value.
    public let detail: String
    /// Whether the peer may have acted on the request. `.notProcessed` means no request
    /// byte reached the peer (or the peer said so, like HTTP/2 GOAWAY): safe to retry.
    public let processing: Processing
    /// The lower-level error this one was made from, if any.
    public let underlying: (any Error & Sendable)?

    public init(
        _ code: Code,
        _ detail: String = "",
        processing: Processing = .unknown,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.detail = detail
        self.processing = processing
        self.underlying = underlying
    }

    public var category: Category { code.category }
    public var isSafeToRetry: Bool { processing == .notProcessed }

    public var description: String {
        var text = "HTTPCoreError.\(code)"
        if !detail.isEmpty { text += ": \(detail)" }
        if let underlying { text += " (underlying: \(underlying))" }
        return text
    }

    /// A copy with a different processing verdict, for layers that know more than the thrower.
    public func with(processing: Processing) -> HTTPCoreError {
        HTTPCoreError(code, detail, processing: processing, underlying: underlying)
    }

    public enum Processing: Sendable, Hashable {
        case notProcessed
        case unknown
    }

    /// What callers branch on. Timeouts and network failures name the phase; protocol
    /// errors name the side at fault (`local`: we refused to send; `remote`: the peer sent
    /// something invalid).
    public enum Category: Sendable, Hashable, CustomStringConvertible {
        case timeout(Phase)
        case network(Phase)
        case `protocol`(Side)
        case tls
        case proxy
        case cancelled
        case limit
        /// The connection or pool was closed or cannot take the request.
        case unavailable

        public var description: String {
            switch self {
            case .timeout(let phase): "timeout(\(phase))"
            case .network(let phase): "network(\(phase))"
            case .protocol(let side): "protocol(\(side))"
            case .tls: "tls"
            case .proxy: "proxy"
            case .cancelled: "cancelled"
            case .limit: "limit"
            case .unavailable: "unavailable"
            }
        }
    }

    public enum Phase: Sendable, Hashable {
        case connect, read, write, pool, total
    }

    public enum Side: Sendable, Hashable {
        case local, remote
    }
}

extension HTTPCoreError {
    /// A precise error condition. Compare with the static members: `error.code == .readTimeout`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Raw: String, Sendable, Hashable {
            case connectTimeout, readTimeout, writeTimeout, poolTimeout, totalTimeout
            case connectRefused, connectFailed, hostNotFound, connectionReset, readFailed, writeFailed
            case invalidRequest, requestBodyLengthMismatch, requestBodyUnreadable, responseUndecodable
            case tooManyRedirects, redirectLoop, invalidRedirect, bodyNotReplayable
            case malformedResponse, closedBeforeResponse, truncatedResponse, truncatedRequest, unsolicitedUpgrade
            case headTooLarge, bodyTooLarge
            case decodedBodyTooLarge, decompressionRatioExceeded, tooManyContentCodings
            case unsupportedContentCoding, corruptEncodedBody, truncatedEncodedBody
            case cancelled, connectionClosed, connectionUnavailable, bodyAlreadyConsumed
            case tlsCertificateRejected, tlsHandshakeFailed, tlsProtocolError, tlsTruncated, tlsInvalidConfiguration
            case streamReset, goAway
            case proxyUnreachable, proxyAuthenticationRequired, proxyTunnelRefused, proxyProtocolError
        }

        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        public var description: String { raw.rawValue }

        public var category: Category {
            switch raw {
            case .connectTimeout: .timeout(.connect)
            case .readTimeout: .timeout(.read)
            case .writeTimeout: .timeout(.write)
            case .poolTimeout: .timeout(.pool)
            case .totalTimeout: .timeout(.total)
            case .connectRefused, .connectFailed, .hostNotFound: .network(.connect)
            case .connectionReset, .readFailed, .truncatedRequest: .network(.read)
            case .writeFailed: .network(.write)
            case .invalidRequest, .requestBodyLengthMismatch, .requestBodyUnreadable, .bodyAlreadyConsumed, .bodyNotReplayable:
                .protocol(.local)
            case .tooManyRedirects, .redirectLoop, .invalidRedirect: .protocol(.remote)
            case .malformedResponse, .closedBeforeResponse, .truncatedResponse, .unsolicitedUpgrade, .responseUndecodable:
                .protocol(.remote)
            case .headTooLarge, .bodyTooLarge: .limit
            case .decodedBodyTooLarge, .decompressionRatioExceeded, .tooManyContentCodings: .limit
            case .unsupportedContentCoding, .corruptEncodedBody, .truncatedEncodedBody: .protocol(.remote)
            case .streamReset: .protocol(.remote)
            case .goAway: .unavailable
            case .cancelled: .cancelled
            case .connectionClosed, .connectionUnavailable: .unavailable
            case .tlsCertificateRejected, .tlsHandshakeFailed, .tlsProtocolError, .tlsTruncated, .tlsInvalidConfiguration:
                .tls
            case .proxyUnreachable, .proxyAuthenticationRequired, .proxyTunnelRefused, .proxyProtocolError: .proxy
            }
        }

        public static let connectTimeout = Code(.connectTimeout)
        public static let readTimeout = Code(.readTimeout)
        public static let writeTimeout = Code(.writeTimeout)
        public static let poolTimeout = Code(.poolTimeout)
        /// The request's total deadline passed.
        public static let totalTimeout = Code(.totalTimeout)
        public static let connectRefused = Code(.connectRefused)
        public static let connectFailed = Code(.connectFailed)
        public static let hostNotFound = Code(.hostNotFound)
        /// The peer reset the connection.
        public static let connectionReset = Code(.connectionReset)
        public static let readFailed = Code(.readFailed)
        public static let writeFailed = Code(.writeFailed)
        /// The request cannot be sent as given (CR, LF or NUL in the head, a bad target, ...).
        public static let invalidRequest = Code(.invalidRequest)
        /// A request body delivered more or fewer bytes than its declared length.
        public static let requestBodyLengthMismatch = Code(.requestBodyLengthMismatch)
        /// A request body's source failed: a file that cannot be opened or read.
        public static let requestBodyUnreadable = Code(.requestBodyUnreadable)
        /// A response body is not what the caller asked to decode it as (JSON that does not
        /// decode to the type); `underlying` is the decoder's error.
        public static let responseUndecodable = Code(.responseUndecodable)
        /// A redirect chain went past the policy's `maxRedirects`.
        public static let tooManyRedirects = Code(.tooManyRedirects)
        /// A redirect led back to a request the chain had already made.
        public static let redirectLoop = Code(.redirectLoop)
        /// A redirect's Location is malformed or not an http(s) URL: it is not followed.
        public static let invalidRedirect = Code(.invalidRedirect)
        /// A 307 or 308 redirect must send the body again, and the body was a one-shot
        /// stream (an async sequence) that cannot be replayed.
        public static let bodyNotReplayable = Code(.bodyNotReplayable)
        /// The response violates the protocol; `detail` and `underlying` say how.
        public static let malformedResponse = Code(.malformedResponse)
        /// The peer closed the connection before sending any response byte.
        public static let closedBeforeResponse = Code(.closedBeforeResponse)
        /// The peer closed the connection in the middle of a response head or body.
        public static let truncatedResponse = Code(.truncatedResponse)
        /// Server side: the client's connection ended in the middle of a request body
        /// (closed or lost; a reset is `.connectionReset`). A network failure, not a
        /// protocol one: a client killed mid-upload sends FIN or RST depending only on
        /// whether it had unread bytes, and a handler should see one category for both.
        public static let truncatedRequest = Code(.truncatedRequest)
        /// A 101 Switching Protocols the request did not ask for.
        public static let unsolicitedUpgrade = Code(.unsolicitedUpgrade)
        /// A response head over a configured limit (line, field, section or field count).
        public static let headTooLarge = Code(.headTooLarge)
        /// A body over the limit given to `collect(upTo:)`.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// A content-coded body decodes to more than the `DecodingPolicy`'s
        /// `maxDecodedBytes`; raised at the step that crosses it, before the excess is
        /// handed out.
        public static let decodedBodyTooLarge = Code(.decodedBodyTooLarge)
        /// A content-coded body decodes to more bytes per compressed byte than the
        /// `DecodingPolicy`'s `maxRatio` (a decompression bomb); raised at the step that
        /// crosses it.
        public static let decompressionRatioExceeded = Code(.decompressionRatioExceeded)
        /// Content-Encoding stacks more codings than the decoder accepts (two), refused
        /// before any byte is decoded (each layer multiplies the work a small body causes).
        public static let tooManyContentCodings = Code(.tooManyContentCodings)
        /// Content-Encoding names a coding the decoder does not support (we did not offer it).
        public static let unsupportedContentCoding = Code(.unsupportedContentCoding)
        /// A content-coded body is not valid in its coding: a bad header or checksum, an
        /// invalid block, a zstd window over 8 MiB, or bytes after the end of a stream
        /// that cannot be followed by another. `detail` has the decoder's message.
        public static let corruptEncodedBody = Code(.corruptEncodedBody)
        /// A content-coded body ended before its compressed stream's end marker (the
        /// message framing was complete, the compressed data was not).
        public static let truncatedEncodedBody = Code(.truncatedEncodedBody)
        public static let cancelled = Code(.cancelled)
        /// The connection (or stream) is closed.
        public static let connectionClosed = Code(.connectionClosed)
        /// The connection is busy or cannot take another request.
        public static let connectionUnavailable = Code(.connectionUnavailable)
        /// A response body can be iterated once.
        public static let bodyAlreadyConsumed = Code(.bodyAlreadyConsumed)
        /// The peer's certificate failed verification (expired, wrong host, unknown CA, ...);
        /// `underlying` is HTTPCoreTLS's `TLSFailure` with the verification result.
        public static let tlsCertificateRejected = Code(.tlsCertificateRejected)
        /// The TLS handshake failed for another reason (protocol version, no shared cipher
        /// or ALPN protocol, an alert from the peer, the peer closed mid-handshake).
        public static let tlsHandshakeFailed = Code(.tlsHandshakeFailed)
        /// A TLS error after the handshake (bad record, unexpected message, alert).
        public static let tlsProtocolError = Code(.tlsProtocolError)
        /// The peer closed the connection without TLS close_notify, so the data may have
        /// been cut short by an attacker or a crash. A close-delimited body ending so is lost.
        public static let tlsTruncated = Code(.tlsTruncated)
        /// A `TLSConfiguration` OpenSSL refused: an unreadable certificate or key, a key
        /// that does not match, an unknown cipher or group name.
        public static let tlsInvalidConfiguration = Code(.tlsInvalidConfiguration)
        /// An HTTP/2 stream ended with RST_STREAM, or the library reset it because the peer
        /// broke the protocol on it; `underlying` is HTTPCoreHTTP2's `HTTP2Failure` with the
        /// RFC 9113 error code and who initiated it. REFUSED_STREAM is `.notProcessed`.
        public static let streamReset = Code(.streamReset)
        /// The HTTP/2 connection went away (GOAWAY, or a connection error). Streams above the
        /// peer's last stream id fail with this and `.notProcessed`: safe to retry.
        public static let goAway = Code(.goAway)
        /// The proxy itself could not be reached (its TCP connect was refused or failed, or
        /// its name did not resolve); `underlying` is the network error. A connect timeout
        /// stays `.connectTimeout`.
        public static let proxyUnreachable = Code(.proxyUnreachable)
        /// The proxy wants credentials, or refused the ones given: HTTP 407 (or 401 to a
        /// CONNECT), SOCKS5 with no acceptable method or a failed RFC 1929 login.
        /// `underlying` is HTTPCorePool's `ProxyRefusal`.
        public static let proxyAuthenticationRequired = Code(.proxyAuthenticationRequired)
        /// The proxy would not open the tunnel to the origin: a non-2xx answer to CONNECT, or
        /// a SOCKS5 reply other than success (host unreachable, connection refused, ...).
        /// `underlying` is HTTPCorePool's `ProxyRefusal` with the status or reply code.
        public static let proxyTunnelRefused = Code(.proxyTunnelRefused)
        /// The proxy's answer broke its protocol: not HTTP, a truncated or malformed SOCKS5
        /// reply, a wrong SOCKS version, or a close in the middle of the handshake.
        public static let proxyProtocolError = Code(.proxyProtocolError)
    }
}

extension HTTPCoreError {
    /// Turns whatever an operation threw into an `HTTPCoreError`; cancellation wins over
    /// the error a cancelled operation happened to surface.
    public static func from(_ error: any Error, default code: Code) -> HTTPCoreError {
        if error is CancellationError { return HTTPCoreError(.cancelled, "the task was cancelled") }
        if let error = error as? HTTPCoreError {
            if Task.isCancelled, error.category != .cancelled {
                return HTTPCoreError(.cancelled, "the task was cancelled", underlying: error)
            }
            return error
        }
        if Task.isCancelled { return HTTPCoreError(.cancelled, "the task was cancelled") }
        return HTTPCoreError(code, String(describing: error))
    }
}
