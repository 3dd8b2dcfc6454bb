public import HTTPCore
public import HTTPTypes

/// Why a response or a request could not be parsed. Client connections surface these
/// inside `HTTPCoreError` (`underlying`), with the code saying which family it belongs to;
/// a server answers a request error with `requestStatus` and closes (`closesConnection`).
/// The request-only cases are each one request-smuggling defence of `HTTP1RequestParser`.
public enum HTTP1ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidStatusLine
    case invalidVersion
    case invalidStatusCode
    /// A field line without a colon, an empty name, or a byte outside `tchar` in the name.
    case invalidFieldName
    /// `Name : value`: whitespace between the name and the colon (a smuggling vector).
    case whitespaceBeforeColon
    /// A control character other than HTAB in a field value, reason phrase or chunk line.
    case invalidFieldValue
    /// A CR not followed by LF.
    case bareCR
    case nulByte
    /// A folded continuation line with no field before it.
    case invalidObsFold
    case invalidContentLength
    case conflictingContentLength
    case invalidTransferEncoding
    case invalidChunkSize
    case chunkSizeOverflow
    /// Chunk data not followed by a line end.
    case missingChunkTerminator
    case startLineTooLong
    case fieldLineTooLong
    case headerSectionTooLarge
    case tooManyFields
    case chunkLineTooLong
    /// 101 Switching Protocols to a request that asked for no upgrade.
    case unsolicitedUpgrade
    /// A line ended by LF without CR (requests: RFC 9112 section 2.2 lets a server refuse it).
    case bareLF
    /// obs-fold in a request's header or trailer section.
    case obsFold
    /// Not `method SP request-target SP HTTP-version` with single spaces.
    case invalidRequestLine
    /// A method that is not a token.
    case invalidMethod
    /// A byte outside the URI grammar, a bad percent-escape, or a form the method may not
    /// use (authority-form is CONNECT's only, asterisk-form OPTIONS's only).
    case invalidRequestTarget
    /// A well-formed version this parser does not speak (`HTTP/2.0`, `HTTP/0.9`): 505.
    case unsupportedVersion
    /// An HTTP/1.1 request without Host (RFC 9112 section 3.2).
    case missingHost
    /// More than one Host field line, or a list in one.
    case duplicateHost
    /// A Host value that is not `host[:port]`, or one with userinfo.
    case invalidHost
    /// An absolute-form target whose authority differs from Host.
    case hostMismatch
    /// Content-Length and Transfer-Encoding together (RFC 9112 section 6.3: a request
    /// framed two ways is the classic smuggling shape).
    case contentLengthWithTransferEncoding
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 section 6.1: the framing is faulty).
    case transferEncodingInHTTP10
    /// A request ending in `chunked` with another coding before it (`gzip, chunked`): the
    /// framing is known but the parser does not undo other codings: 501 (RFC 9112 section 6.1).
    case unsupportedTransferCoding
    /// EOF before the first byte of a response.
    case closedBeforeResponse
    case truncatedHead
    case truncatedBody

    public var description: String {
        switch self {
        case .invalidStatusLine: "invalid status line"
        case .invalidVersion: "unsupported or malformed HTTP version"
        case .invalidStatusCode: "invalid status code"
        case .invalidFieldName: "invalid field line or field name"
        case .whitespaceBeforeColon: "whitespace between a field name and its colon"
        case .invalidFieldValue: "control character in the head"
        case .bareCR: "CR not followed by LF"
        case .nulByte: "NUL byte in the head"
        case .invalidObsFold: "folded line with no field before it"
        case .invalidContentLength: "malformed Content-Length"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .invalidTransferEncoding: "malformed Transfer-Encoding"
        case .invalidChunkSize: "malformed chunk size"
        case .chunkSizeOverflow: "chunk size overflows"
        case .missingChunkTerminator: "chunk data not followed by a line end"
        case .startLineTooLong: "start line over the limit"
        case .fieldLineTooLong: "field line over the limit"
        case .headerSectionTooLarge: "header section over the limit"
        case .tooManyFields: "more fields than the limit"
        case .chunkLineTooLong: "chunk-size line over the limit"
        case .unsolicitedUpgrade: "101 Switching Protocols without an upgrade request"
        case .bareLF: "line ended by LF without CR"
        case .obsFold: "obs-fold (folded field line) in a request"
        case .invalidRequestLine: "malformed request line"
        case .invalidMethod: "method is not a token"
        case .invalidRequestTarget: "invalid request target"
        case .unsupportedVersion: "unsupported HTTP version"
        case .missingHost: "HTTP/1.1 request without Host"
        case .duplicateHost: "more than one Host"
        case .invalidHost: "malformed Host"
        case .hostMismatch: "Host differs from the absolute-form target's authority"
        case .contentLengthWithTransferEncoding: "Content-Length together with Transfer-Encoding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
        case .unsupportedTransferCoding: "transfer coding other than chunked"
        case .closedBeforeResponse: "connection closed before any response byte"
        case .truncatedHead: "connection closed in the middle of the response head"
        case .truncatedBody: "connection closed in the middle of the response body"
        }
    }

    /// The status a server answers a request that failed this way with (RFC 9112 and RFC
    /// 9110): 414 for a request line over the limit, 431 for a field line, header or
    /// trailer section over its limit, 505 for a version it does not speak, 501 for a
    /// transfer coding it does not undo, else 400.
    public var requestStatus: HTTPResponse.Status {
        switch self {
        case .startLineTooLong: .uriTooLong
        case .fieldLineTooLong, .headerSectionTooLarge, .tooManyFields: .requestHeaderFieldsTooLarge
        case .unsupportedVersion: .httpVersionNotSupported
        case .unsupportedTransferCoding: .notImplemented
        default: .badRequest
        }
    }

    /// Whether the server must close the connection after answering: always. The parser
    /// stops at the first error, so where the next request would start is unknown, and a
    /// guess is exactly what a smuggled request counts on (RFC 9112 sections 6.3 and 11.2).
    public var closesConnection: Bool { true }

    /// The `HTTPCoreError` a connection throws for this parse error.
    public var coreError: HTTPCoreError {
        let code: HTTPCoreError.Code = switch self {
        case .startLineTooLong, .fieldLineTooLong, .headerSectionTooLarge, .tooManyFields, .chunkLineTooLong: .headTooLarge
        case .unsolicitedUpgrade: .unsolicitedUpgrade
        case .closedBeforeResponse: .closedBeforeResponse
        case .truncatedHead, .truncatedBody: .truncatedResponse
        default: .malformedResponse
        }
        return HTTPCoreError(code, description, underlying: self)
    }
}
