import HTTPCore
import HTTPTypes

extension HTTP1RequestParser {
    /// Ends a head: checks Host against the target, decides how the body is framed (RFC
    /// 9112 section 6.3, strictly) and whether the connection persists, and builds the
    /// request. Host leaves the fields for `authority`, as `:authority` does in HTTP/2, so
    /// a handler reads one place whichever protocol carried the request.
    mutating func finishHead(_ head: Head) throws(HTTP1ParseError) -> HTTPRequest {
        var fields = head.section.fields
        let authority = try Self.authority(target: head.target, hosts: fields[values: .http1Host], version: head.version)
        let body = try Self.framing(fields: fields, version: head.version)
        fields[.http1Host] = nil

        version = head.version
        keepAlive = head.method != .connect && HTTP1Framing.keepAlive(version: head.version, fields: fields)
        expectsContinue = head.version == .http1_1 && Self.expectsContinue(fields)
        state = .body(HTTP1BodyReader(state: body))

        var request = switch head.target {
        case .origin(let path): HTTPRequest(method: head.method, scheme: scheme, authority: authority, path: path)
        case .absolute(let scheme, _, let path): HTTPRequest(method: head.method, scheme: scheme, authority: authority, path: path)
        case .authority: HTTPRequest(method: head.method, scheme: nil, authority: authority, path: nil)
        case .asterisk: HTTPRequest(method: head.method, scheme: scheme, authority: authority, path: "*")
        }
        request.headerFields = fields
        return request
    }

    /// The request's authority: the target's when it has one, else Host's (nil when Host is
    /// absent or empty, as RFC 9112 section 3.2 allows). HTTP/1.1 needs one Host line.
    static func authority(target: Target, hosts: [String], version: HTTPVersion) throws(HTTP1ParseError) -> String? {
        guard hosts.count <= 1 else { throw .duplicateHost }
        guard let host = hosts.first else {
            if version == .http1_1 { throw .missingHost }
            return switch target {
            case .absolute(_, let authority, _), .authority(let authority): authority
            case .origin, .asterisk: nil
            }
        }
        if !host.isEmpty, !isAuthority(Array(host.utf8)[...], requiresPort: false) { throw .invalidHost }
        switch target {
        case .absolute(_, let authority, _):
            // RFC 9112 section 3.2.2 lets a server ignore Host here; two names for one
            // request is what a smuggler would send, so they must agree.
            guard authority.lowercased() == host.lowercased() else { throw .hostMismatch }
            return authority
        case .authority(let authority):
            return authority
        case .origin, .asterisk:
            return host.isEmpty ? nil : host
        }
    }

    /// How the body is framed. Transfer-Encoding must be exactly `chunked`, never beside
    /// Content-Length and never in HTTP/1.0; Content-Length must be one line with one
    /// number (a repeat is refused even when equal: strict, and one rule fewer for two
    /// hops to disagree on). No framing field means no body.
    static func framing(fields: HTTPFields, version: HTTPVersion) throws(HTTP1ParseError) -> HTTP1BodyReader.State {
        let codings = fields[values: .transferEncoding]
        let lengths = fields[values: .contentLength]
        if !codings.isEmpty {
            if version == .http1_0 { throw .transferEncodingInHTTP10 }
            if !lengths.isEmpty { throw .contentLengthWithTransferEncoding }
            guard try HTTP1Framing.isChunked(codings) else { throw .invalidTransferEncoding }
            guard codings.count == 1, Substring(codings[0]).utf8.equalsIgnoringASCIICase("chunked") else {
                throw .unsupportedTransferCoding
            }
            return .chunkSize
        }
        guard let length = try HTTP1Framing.contentLength(lengths) else { return .fixed(remaining: 0) }
        guard lengths.count == 1, !lengths[0].utf8.contains(UInt8(ascii: ",")) else { throw .conflictingContentLength }
        return .fixed(remaining: length)
    }

    /// Whether any Expect member is `100-continue` (ASCII case-insensitively).
    static func expectsContinue(_ fields: HTTPFields) -> Bool {
        fields[values: .expect].contains { value in
            value.utf8.split(separator: UInt8(ascii: ",")).contains { $0.trimmingOWS.equalsIgnoringASCIICase("100-continue") }
        }
    }
}
