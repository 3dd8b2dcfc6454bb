public import HTTPCore

/// Why a response could not be parsed. Connections surface these inside `HTTPCoreError`
/// (`underlying`), with the code saying which family it belongs to.
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
        case .invalidFieldValue: "control character in the response head"
        case .bareCR: "CR not followed by LF"
        case .nulByte: "NUL byte in the response head"
        case .invalidObsFold: "folded line with no field before it"
        case .invalidContentLength: "malformed Content-Length"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .invalidTransferEncoding: "malformed Transfer-Encoding"
        case .invalidChunkSize: "malformed chunk size"
        case .chunkSizeOverflow: "chunk size overflows"
        case .missingChunkTerminator: "chunk data not followed by a line end"
        case .startLineTooLong: "status line over the limit"
        case .fieldLineTooLong: "field line over the limit"
        case .headerSectionTooLarge: "header section over the limit"
        case .tooManyFields: "more fields than the limit"
        case .chunkLineTooLong: "chunk-size line over the limit"
        case .unsolicitedUpgrade: "101 Switching Protocols without an upgrade request"
        case .closedBeforeResponse: "connection closed before any response byte"
        case .truncatedHead: "connection closed in the middle of the response head"
        case .truncatedBody: "connection closed in the middle of the response body"
        }
    }

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
